using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class DeviceCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> Table = TableWriter.Columns(
        ("ID", "id"), ("USER", "userLoginId"), ("KIND", "kind"), ("NAME", "name"), ("NUMBER", "number"), ("MAX RING (s)", "maxRingSeconds"));

    public static Command Create(CommandContext context)
    {
        var user = new Argument<string>("login-id") { Description = "The device's owner" };
        var kind = new Option<string>("--kind") { Description = "DeskPhone, Softphone, MobileClient, CellNumber or Added", Required = true };
        var name = new Option<string?>("--name") { Description = "A name the user recognises, e.g. 'Desk phone'" };
        var number = new Option<string?>("--number") { Description = "E.164 number of a CellNumber or Added device" };
        var maxRing = new Option<int?>("--max-ring") { Description = "Maximum ring time in seconds (Added devices; absent: unlimited)" };
        var id = new Argument<long>("id") { Description = "Device ID from 'pbxctl device list'" };
        var filter = new Option<string?>("--user") { Description = "Only this user's devices" };

        var add = new Command("add", "Add a device to a user") { user, kind, name, number, maxRing };
        add.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, "/api/devices", new
        {
            user = parsed.GetValue(user),
            kind = parsed.GetValue(kind),
            name = parsed.GetValue(name) ?? parsed.GetValue(kind),
            number = parsed.GetValue(number),
            maxRingSeconds = parsed.GetValue(maxRing),
        }, ct, Table));

        var list = new Command("list", "List devices") { filter };
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get,
            parsed.GetValue(filter) is { } u ? $"/api/devices?user={UserCommands.Escape(u)}" : "/api/devices", null, ct, Table));

        var remove = new Command("remove", "Remove a device") { id };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/devices/{parsed.GetValue(id)}", null, ct,
            doneMessage: $"device {parsed.GetValue(id)} removed"));

        return new Command("device", "Devices: add, list, remove") { add, list, remove };
    }
}

using System.CommandLine;

namespace Pbx.Cli.Commands;

internal static class UserCommands
{
    private static readonly Action<System.Text.Json.Nodes.JsonNode, TextWriter> Table = TableWriter.Columns(
        ("LOGIN", "loginId"), ("NAME", "displayName"), ("E-MAIL", "email"), ("LANG", "language"), ("CREATED", "createdAt"));

    public static Command Create(CommandContext context)
    {
        var login = new Argument<string>("login-id") { Description = "The user's login ID (SIP and XMPP user name)" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var email = new Option<string?>("--email") { Description = "E-mail address (empty clears it)" };
        var language = new Option<string?>("--language") { Description = "Prompt and client language: en, de or fr" };
        var password = new Option<string?>("--password") { Description = "Password (visible in the process list: prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };

        var add = new Command("add", "Create a user") { login, name, email, language, password, passwordStdin };
        add.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Post, "/api/users", new
        {
            loginId = parsed.GetValue(login),
            displayName = parsed.GetValue(name) ?? parsed.GetValue(login),
            email = parsed.GetValue(email),
            language = parsed.GetValue(language),
            password = ReadPassword(parsed, password, passwordStdin),
        }, ct, Table));

        var list = new Command("list", "List users");
        list.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, "/api/users", null, ct, Table));

        var show = new Command("show", "Show one user") { login };
        show.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Get, $"/api/users/{Escape(parsed.GetValue(login))}", null, ct, Table));

        var set = new Command("set", "Change a user's name, e-mail, language or password") { login, name, email, language, password, passwordStdin };
        set.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Patch, $"/api/users/{Escape(parsed.GetValue(login))}", new
        {
            displayName = parsed.GetValue(name),
            email = parsed.GetValue(email),
            language = parsed.GetValue(language),
            password = ReadPassword(parsed, password, passwordStdin),
        }, ct, Table));

        var remove = new Command("remove", "Delete a user with its devices and numbers") { login };
        remove.SetAction((parsed, ct) => context.CallAsync(parsed, HttpMethod.Delete, $"/api/users/{Escape(parsed.GetValue(login))}", null, ct,
            doneMessage: $"user {parsed.GetValue(login)} removed"));

        return new Command("user", "Users: add, list, show, set, remove") { add, list, show, set, remove };
    }

    internal static string Escape(string? value) => Uri.EscapeDataString(value ?? "");

    private static string? ReadPassword(ParseResult parsed, Option<string?> password, Option<bool> fromStdin) =>
        parsed.GetValue(fromStdin) ? Console.In.ReadLine()?.TrimEnd('\r', '\n') : parsed.GetValue(password);
}

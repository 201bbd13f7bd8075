using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>A PBX user a test creates: login ID, display name, internal number and password.</summary>
internal sealed record PbxAccount(string Login, string Name, string Number, string Password);

internal static class PbxAccounts
{
    /// <summary>
    /// Starts a daemon with qualify OPTIONS once an hour (callee scenarios answer them, but quiet traces are easier to
    /// read) and creates the accounts with their numbers through the admin API.
    /// </summary>
    public static async Task<DaemonProcess> StartWithAsync(IEnumerable<PbxAccount> accounts, Action<JsonObject>? adjust = null)
    {
        var daemon = DaemonProcess.Create(adjust: config =>
        {
            config["Sip"]!["QualifyIntervalSeconds"] = 3600;
            adjust?.Invoke(config);
        });
        try
        {
            await daemon.StartAndWaitReadyAsync();
            using var admin = daemon.AdminClient();
            foreach (var account in accounts)
            {
                var user = await admin.PostAsJsonAsync("/api/users", new { loginId = account.Login, displayName = account.Name, password = account.Password });
                Assert.True(user.IsSuccessStatusCode, $"creating {account.Login}: {(int)user.StatusCode} {await user.Content.ReadAsStringAsync()}");
                var number = await admin.PostAsJsonAsync("/api/numbers", new { number = account.Number, user = account.Login });
                Assert.True(number.IsSuccessStatusCode, $"numbering {account.Login}: {(int)number.StatusCode} {await number.Content.ReadAsStringAsync()}");
            }
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }
}

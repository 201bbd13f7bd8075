using Pbx.Calls;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Server.Calls;

/// <summary>The B2BUA's view of the directory: who a caller is and whose an internal number is.</summary>
internal sealed class CallDirectory(IDirectoryStore directory) : ICallDirectory
{
    public async ValueTask<string?> GetLanguageAsync(string loginId, CancellationToken cancellation) =>
        (await directory.FindUserAsync(loginId, cancellation))?.Language is { Length: > 0 } language ? language : null;

    public async ValueTask<CallerIdentity?> GetIdentityAsync(string loginId, CancellationToken cancellation)
    {
        var user = await directory.FindUserAsync(loginId, cancellation);
        if (user is null) return null;
        var numbers = await directory.ListNumbersAsync(cancellation);
        var own = numbers.Where(n => string.Equals(n.UserLoginId, user.LoginId, StringComparison.OrdinalIgnoreCase)).ToList();
        // Internal callers see the internal number; the external one is for trunks.
        var number = own.FirstOrDefault(n => n.Kind == NumberKind.Internal) ?? own.FirstOrDefault();
        return new CallerIdentity(number?.Number ?? user.LoginId, user.DisplayName);
    }

    public async ValueTask<string?> FindUserByCellNumberAsync(string number, CancellationToken cancellation)
    {
        var wanted = Digits(number);
        if (wanted.Length == 0) return null;
        var devices = await directory.ListDevicesAsync(null, cancellation);
        return devices.FirstOrDefault(d => d.Kind == DeviceKind.CellNumber && d.Number is { } n && Digits(n) == wanted)?.UserLoginId;
    }

    // Providers send "+4917012345678", users may have stored "+49 170 1234-5678": compare the digits.
    private static string Digits(string number) => new(number.Where(char.IsAsciiDigit).ToArray());

    public async ValueTask<string?> FindUserOfNumberAsync(string number, CancellationToken cancellation) =>
        (await directory.FindNumberAsync(number, cancellation))?.UserLoginId;

    public async ValueTask<string?> GetExternalNumberAsync(string loginId, CancellationToken cancellation) =>
        (await directory.ListNumbersAsync(cancellation))
            .FirstOrDefault(n => n.Kind == NumberKind.External && string.Equals(n.UserLoginId, loginId, StringComparison.OrdinalIgnoreCase))?.Number;
}

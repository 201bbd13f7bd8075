using System.Security.Cryptography;
using System.Text;

namespace Pbx.Telephony.Routing;

/// <summary>A user's outgoing call barring: when <see cref="Barred"/>, only internal numbers unless the PIN is given.</summary>
public sealed record BarringSettings(bool Barred, string? Pin);

public enum BarringVerdict
{
    Allowed,
    /// <summary>The user is barred but entered the right PIN for this call.</summary>
    AllowedByPin,
    Barred,
}

/// <summary>An outgoing call a user wants to place; <see cref="Pin"/> is what they entered, if anything.</summary>
public sealed record OutgoingCall(string CallerLoginId, string DialledNumber, string? Pin = null);

/// <summary>
/// Call barring for outgoing calls. A pure rule plus the engine-side check that looks up whether the dialled
/// number is one of ours. Emergency numbers are the host's dial plan's business and never reach this check.
/// </summary>
public static class CallBarring
{
    public static BarringVerdict Check(BarringSettings? settings, bool destinationIsInternal, string? enteredPin)
    {
        if (settings is not { Barred: true } || destinationIsInternal) return BarringVerdict.Allowed;
        return settings.Pin is { Length: > 0 } pin && enteredPin is not null && PinMatches(pin, enteredPin)
            ? BarringVerdict.AllowedByPin
            : BarringVerdict.Barred;
    }

    /// <summary>Checks an outgoing call with the user's settings; internal means the number belongs to a user or group.</summary>
    public static async ValueTask<BarringVerdict> CheckOutgoingAsync(IRoutingSettings settings, OutgoingCall call,
        CancellationToken cancellation)
    {
        var barring = await settings.GetAsync<BarringSettings>(new RoutingParty.User(call.CallerLoginId), cancellation);
        var internalNumber = await settings.FindOwnerAsync(call.DialledNumber, cancellation) is not null;
        return Check(barring, internalNumber, call.Pin);
    }

    // Constant time, so response timing does not reveal how many leading digits were right.
    private static bool PinMatches(string expected, string entered) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(entered));
}

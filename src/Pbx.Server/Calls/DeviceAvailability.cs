using Pbx.Sip.Registrar;
using Pbx.Telephony.Routing;

namespace Pbx.Server.Calls;

/// <summary>Routing's presence facts from the registrar's bindings and the B2BUA's call activity.</summary>
internal sealed class DeviceAvailability(BindingTable bindings, TimeProvider time) : IDeviceAvailability
{
    public ValueTask<bool> HasRegisteredDeviceAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(bindings.Lookup(loginId.ToLowerInvariant(), time.GetUtcNow()).Count > 0);

    // Registrations do not say yet which one is the mobile client, so auto-pilot treats it as not reachable.
    public ValueTask<bool> IsMobileClientReachableAsync(string loginId, CancellationToken cancellation) => ValueTask.FromResult(false);

    // Call waiting is the default: a user on the phone still gets the new call offered, and the phones decide (486).
    public ValueTask<bool> IsBusyOnCallAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(false);
}

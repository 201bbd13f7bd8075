using Pbx.Sip.Registrar;
using Pbx.Telephony.Routing;

namespace Pbx.Server.Calls;

/// <summary>Routing's presence facts from the registrar's bindings and the B2BUA's call activity.</summary>
internal sealed class DeviceAvailability(BindingTable bindings, TimeProvider time) : IDeviceAvailability
{
    public ValueTask<bool> HasRegisteredDeviceAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(bindings.Lookup(loginId.ToLowerInvariant(), time.GetUtcNow()).Count > 0);

    // The mobile client is a registration with +sip.mobility="mobile"; registered means reachable over data.
    public ValueTask<bool> IsMobileClientReachableAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(bindings.Lookup(loginId.ToLowerInvariant(), time.GetUtcNow()).Any(binding => binding.IsMobile));

    // Call waiting is the default: a user on the phone still gets the new call offered, and the phones decide (486).
    public ValueTask<bool> IsBusyOnCallAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(false);
}

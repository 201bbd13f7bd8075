using Pbx.Telephony.Accounts;

namespace Pbx.Telephony.Routing;

/// <summary>
/// The configuration routing reads, implemented by the host over its storage. Each feature keeps its settings in
/// its own record type and asks for it with <see cref="GetAsync{T}"/>, so adding a feature never changes this
/// interface. A missing record means the feature is off for that party.
/// </summary>
public interface IRoutingSettings
{
    /// <summary>The user or group a number belongs to, or null when it is not one of ours.</summary>
    ValueTask<RoutingParty?> FindOwnerAsync(string number, CancellationToken cancellation);

    ValueTask<Group?> GetGroupAsync(string name, CancellationToken cancellation);

    ValueTask<T?> GetAsync<T>(RoutingParty party, CancellationToken cancellation) where T : class;
}

/// <summary>Presence facts routing decisions depend on, implemented by the host from registrations and calls.</summary>
public interface IDeviceAvailability
{
    /// <summary>Any SIP registration of the user (desk phone, softphone or mobile client) is connected.</summary>
    ValueTask<bool> HasRegisteredDeviceAsync(string loginId, CancellationToken cancellation);

    /// <summary>The user's mobile client is reachable over data right now (auto-pilot rings it first).</summary>
    ValueTask<bool> IsMobileClientReachableAsync(string loginId, CancellationToken cancellation);

    /// <summary>All of the user's devices are in use, so a new call would only find them busy.</summary>
    ValueTask<bool> IsBusyOnCallAsync(string loginId, CancellationToken cancellation);
}

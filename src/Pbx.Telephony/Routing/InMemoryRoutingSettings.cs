using System.Collections.Concurrent;
using Pbx.Telephony.Accounts;

namespace Pbx.Telephony.Routing;

/// <summary>Settings held in memory: for tests and for hosts that load everything at start.</summary>
public sealed class InMemoryRoutingSettings : IRoutingSettings
{
    private readonly ConcurrentDictionary<string, RoutingParty> _owners = new();
    private readonly ConcurrentDictionary<string, Group> _groups = new();
    private readonly ConcurrentDictionary<(RoutingParty Party, Type Type), object> _settings = new();

    public InMemoryRoutingSettings AddNumber(string number, RoutingParty owner)
    {
        _owners[number] = owner;
        return this;
    }

    public InMemoryRoutingSettings AddGroup(Group group, params string[] numbers)
    {
        _groups[group.Name] = group;
        foreach (var number in numbers) AddNumber(number, new RoutingParty.Group(group.Name));
        return this;
    }

    public InMemoryRoutingSettings Set<T>(RoutingParty party, T settings) where T : class
    {
        _settings[(party, typeof(T))] = settings;
        return this;
    }

    public ValueTask<RoutingParty?> FindOwnerAsync(string number, CancellationToken cancellation) =>
        ValueTask.FromResult(_owners.GetValueOrDefault(number));

    public ValueTask<Group?> GetGroupAsync(string name, CancellationToken cancellation) =>
        ValueTask.FromResult(_groups.GetValueOrDefault(name));

    public ValueTask<T?> GetAsync<T>(RoutingParty party, CancellationToken cancellation) where T : class =>
        ValueTask.FromResult(_settings.GetValueOrDefault((party, typeof(T))) as T);
}

/// <summary>Presence set by hand: for tests and for hosts without live registration data.</summary>
public sealed class InMemoryDeviceAvailability : IDeviceAvailability
{
    private readonly ConcurrentDictionary<string, bool> _registered = new();
    private readonly ConcurrentDictionary<string, bool> _mobileReachable = new();
    private readonly ConcurrentDictionary<string, bool> _busy = new();

    /// <summary>Users not mentioned count as registered, not busy, mobile client unreachable.</summary>
    public void SetRegistered(string loginId, bool registered) => _registered[loginId] = registered;

    public void SetMobileClientReachable(string loginId, bool reachable) => _mobileReachable[loginId] = reachable;

    public void SetBusyOnCall(string loginId, bool busy) => _busy[loginId] = busy;

    public ValueTask<bool> HasRegisteredDeviceAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(_registered.GetValueOrDefault(loginId, true));

    public ValueTask<bool> IsMobileClientReachableAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(_mobileReachable.GetValueOrDefault(loginId, false));

    public ValueTask<bool> IsBusyOnCallAsync(string loginId, CancellationToken cancellation) =>
        ValueTask.FromResult(_busy.GetValueOrDefault(loginId, false));
}

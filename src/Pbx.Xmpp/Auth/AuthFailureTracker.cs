using System.Net;

namespace Pbx.Xmpp.Auth;

/// <summary>
/// Counts failed logins per source address and bans an address that fails too often within a
/// sliding window. Bounded: when the table is full, expired entries are swept and, failing that,
/// new addresses are tracked only once room frees up.
/// </summary>
public sealed class AuthFailureTracker(
    TimeProvider timeProvider,
    int maxFailures = 5,
    TimeSpan? window = null,
    TimeSpan? banDuration = null,
    int maxTrackedAddresses = 100_000,
    IReadOnlyList<IPNetwork>? exemptNetworks = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(60);
    private readonly TimeSpan _banDuration = banDuration ?? TimeSpan.FromMinutes(5);
    private readonly Dictionary<IPAddress, Entry> _entries = new();
    private readonly Lock _lock = new();

    /// <summary>True for addresses that are never banned (e.g. an office NAT the host trusts).</summary>
    public bool IsExempt(IPAddress address)
    {
        if (exemptNetworks is null) return false;
        address = Canonical(address);
        foreach (var network in exemptNetworks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    public bool IsBanned(IPAddress address)
    {
        if (IsExempt(address)) return false;
        address = Canonical(address);
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            return _entries.TryGetValue(address, out var entry) && entry.BannedUntil > now;
        }
    }

    /// <summary>Records a failure; returns true if the address is now banned.</summary>
    public bool RecordFailure(IPAddress address)
    {
        if (IsExempt(address)) return false;
        address = Canonical(address);
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_entries.TryGetValue(address, out var entry))
            {
                if (_entries.Count >= maxTrackedAddresses && !Sweep(now)) return false;
                entry = new Entry();
                _entries[address] = entry;
            }
            while (entry.Failures.Count > 0 && now - entry.Failures.Peek() >= _window) entry.Failures.Dequeue();
            entry.Failures.Enqueue(now);
            if (entry.Failures.Count >= maxFailures)
            {
                entry.BannedUntil = now + _banDuration;
                entry.Failures.Clear();
                return true;
            }
            return false;
        }
    }

    public void RecordSuccess(IPAddress address)
    {
        address = Canonical(address);
        lock (_lock)
        {
            if (_entries.TryGetValue(address, out var entry) && entry.BannedUntil <= timeProvider.GetUtcNow())
            {
                _entries.Remove(address);
            }
        }
    }

    private bool Sweep(DateTimeOffset now)
    {
        var stale = new List<IPAddress>();
        foreach (var (address, entry) in _entries)
        {
            bool failuresExpired = entry.Failures.Count == 0 || now - entry.Failures.Last() >= _window;
            if (entry.BannedUntil <= now && failuresExpired) stale.Add(address);
        }
        foreach (var address in stale) _entries.Remove(address);
        return _entries.Count < maxTrackedAddresses;
    }

    private static IPAddress Canonical(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Entry
    {
        public Queue<DateTimeOffset> Failures { get; } = new();
        public DateTimeOffset BannedUntil { get; set; } = DateTimeOffset.MinValue;
    }
}

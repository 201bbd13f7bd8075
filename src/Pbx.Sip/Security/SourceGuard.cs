using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Pbx.Sip.Registrar;

namespace Pbx.Sip.Security;

/// <summary>A ban in force, as the admin API lists it.</summary>
public sealed record SourceBan(IPAddress Address, DateTimeOffset Since, DateTimeOffset Until, string Reason);

/// <summary>
/// Decides per source address, before a datagram is even parsed, whether to look at it: banned sources (too many
/// failed authentications) get silence, flooding sources are throttled (Kamailio's pike, in spirit).
/// </summary>
public sealed partial class SourceGuard(SourceGuardOptions options, TimeProvider time, ILogger logger) : IAuthFailureSink
{
    private readonly ConcurrentDictionary<IPAddress, SourceBan> _bans = new();
    private readonly ConcurrentDictionary<IPAddress, FailureWindow> _failures = new();
    private readonly ConcurrentDictionary<IPAddress, RateBucket> _rates = new();

    public IReadOnlyList<SourceBan> Bans
    {
        get
        {
            var now = time.GetUtcNow();
            return _bans.Values.Where(b => b.Until > now).OrderBy(b => b.Since).ToList();
        }
    }

    /// <summary>True when a message from <paramref name="source"/> should be processed at all.</summary>
    public bool Admit(IPAddress source)
    {
        if (IsTrusted(source)) return true;
        var now = time.GetUtcNow();
        if (_bans.TryGetValue(source, out var ban))
        {
            if (ban.Until > now) return false;
            _bans.TryRemove(source, out _);
        }
        if (options.RequestsPerSecond <= 0) return true;
        if (_rates.Count >= options.MaxTrackedSources && !_rates.ContainsKey(source)) Sweep(now);
        var bucket = _rates.GetOrAdd(source, static (_, t) => new RateBucket(t), now);
        return bucket.TryTake(now, options.RequestsPerSecond);
    }

    public bool MayRegister(IPAddress source)
    {
        if (options.RegisterAllow.Count > 0 && !options.RegisterAllow.Any(n => n.Contains(Normalize(source)))) return false;
        return !options.RegisterDeny.Any(n => n.Contains(Normalize(source)));
    }

    public void OnAuthFailure(IPAddress source, string? username)
    {
        if (IsTrusted(source)) return;
        var now = time.GetUtcNow();
        if (_failures.Count >= options.MaxTrackedSources && !_failures.ContainsKey(source)) Sweep(now);
        var window = _failures.GetOrAdd(source, static _ => new FailureWindow());
        if (window.Add(now, options.FailureWindow) < options.FailureLimit) return;
        _failures.TryRemove(source, out _);
        var ban = new SourceBan(source, now, now + options.BanDuration, $"{options.FailureLimit} failed authentications within {options.FailureWindow.TotalSeconds:0} s (last user '{username}')");
        _bans[source] = ban;
        Banned(logger, source.ToString(), ban.Reason, (int)options.BanDuration.TotalSeconds);
    }

    /// <returns>False when the address was not banned.</returns>
    public bool Lift(IPAddress address)
    {
        var lifted = _bans.TryRemove(address, out _);
        if (lifted) BanLifted(logger, address.ToString());
        return lifted;
    }

    private bool IsTrusted(IPAddress source) => options.Trusted.Count > 0 && options.Trusted.Any(n => n.Contains(Normalize(source)));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (address, bucket) in _rates) if (bucket.IdleSince(now) > TimeSpan.FromSeconds(10)) _rates.TryRemove(address, out _);
        foreach (var (address, window) in _failures) if (window.IsStale(now, options.FailureWindow)) _failures.TryRemove(address, out _);
    }

    /// <summary>Timestamps of recent failures; a short list per address, pruned as it grows.</summary>
    private sealed class FailureWindow
    {
        private readonly Queue<DateTimeOffset> _times = new();

        public int Add(DateTimeOffset now, TimeSpan window)
        {
            lock (_times)
            {
                while (_times.TryPeek(out var oldest) && now - oldest > window) _times.Dequeue();
                _times.Enqueue(now);
                return _times.Count;
            }
        }

        public bool IsStale(DateTimeOffset now, TimeSpan window)
        {
            lock (_times) return _times.Count == 0 || now - _times.Last() > window;
        }
    }

    /// <summary>A token bucket refilled continuously at the allowed rate, holding one second's worth.</summary>
    private sealed class RateBucket(DateTimeOffset created)
    {
        private readonly Lock _lock = new();
        private double _tokens = -1;
        private DateTimeOffset _last = created;

        public bool TryTake(DateTimeOffset now, int perSecond)
        {
            lock (_lock)
            {
                if (_tokens < 0) _tokens = perSecond;
                _tokens = Math.Min(perSecond, _tokens + (now - _last).TotalSeconds * perSecond);
                _last = now;
                if (_tokens < 1) return false;
                _tokens -= 1;
                return true;
            }
        }

        public TimeSpan IdleSince(DateTimeOffset now)
        {
            lock (_lock) return now - _last;
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "BANNED {Address}: {Reason}; no answers for {Seconds} s")]
    private static partial void Banned(ILogger logger, string address, string reason, int seconds);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Ban of {Address} lifted by the admin")]
    private static partial void BanLifted(ILogger logger, string address);
}

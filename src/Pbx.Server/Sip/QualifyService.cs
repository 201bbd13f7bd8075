using System.Collections.Concurrent;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transactions;

namespace Pbx.Server.Sip;

/// <summary>The last keep-alive result of one binding.</summary>
public sealed record QualifyState(Reachability State, TimeSpan? RoundTrip, DateTimeOffset? LastAnswer);

/// <summary>
/// Sends OPTIONS to every binding at an interval, over the flow the phone registered on (which also keeps NAT
/// pinholes open), and classifies it REACHABLE, LAGGED (answer slower than the threshold) or UNREACHABLE.
/// </summary>
internal sealed partial class QualifyService(SipEndpoints endpoints, BindingTable bindings, TimeSpan interval, TimeSpan laggedAbove,
    TimeProvider time, ILogger<QualifyService> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Aor, string Key), QualifyState> _states = new();
    private readonly ConcurrentDictionary<ClientTransaction, Probe> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private SipTransactionLayer? _layer;
    private Task? _loop;

    public QualifyState StateOf(Binding binding) =>
        _states.TryGetValue((binding.Aor, binding.Key), out var state) ? state : new QualifyState(Reachability.Unknown, null, null);

    public void Start(SipTransactionLayer layer)
    {
        _layer = layer;
        _loop ??= Task.Run(RunAsync);
    }

    /// <summary>Probes every binding now.</summary>
    public void ProbeAll() => ProbeSlice(0, 1);

    /// <summary>
    /// Probes the bindings that fall into one of <paramref name="slices"/> slices: the loop takes one slice a second,
    /// so 10,000 phones cost an even trickle of OPTIONS rather than one burst per interval.
    /// </summary>
    private void ProbeSlice(int slice, int slices)
    {
        if (_layer is null) return;
        ExpireUnanswered();
        var probing = _pending.Values.Select(p => p.Id).ToHashSet();
        foreach (var binding in bindings.Snapshot())
        {
            if ((uint)HashCode.Combine(binding.Aor, binding.Key) % (uint)slices != slice) continue;
            if (probing.Contains((binding.Aor, binding.Key))) continue;
            var request = BuildOptions(binding);
            var transaction = _layer.SendRequest(request, binding.Flow);
            _pending[transaction] = new Probe((binding.Aor, binding.Key), binding.Contact, time.GetTimestamp());
        }
    }

    /// <summary>
    /// A probe unanswered for longer than the probe timeout makes the binding UNREACHABLE and frees it for the next
    /// probe: waiting for the transaction's own 32 s would leave a phone that lost one OPTIONS unknown for half a minute.
    /// </summary>
    private void ExpireUnanswered()
    {
        var timeout = interval < MaxProbeWait ? interval : MaxProbeWait;
        foreach (var (transaction, probe) in _pending)
        {
            if (time.GetElapsedTime(probe.SentAt) < timeout || !_pending.TryRemove(transaction, out _)) continue;
            var before = StateOfKey(probe.Id);
            _states[probe.Id] = new QualifyState(Reachability.Unreachable, null, before.LastAnswer);
            if (before.State != Reachability.Unreachable) Unreachable(logger, probe.Id.Aor, probe.Contact, 408);
        }
    }

    private static readonly TimeSpan MaxProbeWait = TimeSpan.FromSeconds(5);

    public void OnResponse(ClientTransaction transaction, SipMessage response)
    {
        if (response.StatusCode < 200 || !_pending.TryRemove(transaction, out var probe)) return;
        var roundTrip = time.GetElapsedTime(probe.SentAt);
        // 408 and 503 are made locally when nothing came back or the transport failed; any other final answer,
        // even 404 or 405, proves the phone is there.
        var state = response.StatusCode is 408 or 503 ? new QualifyState(Reachability.Unreachable, null, StateOfKey(probe.Id).LastAnswer)
            : new QualifyState(roundTrip > laggedAbove ? Reachability.Lagged : Reachability.Reachable, roundTrip, time.GetUtcNow());
        var before = StateOfKey(probe.Id).State;
        _states[probe.Id] = state;
        if (state.State == before) return;
        switch (state.State)
        {
            case Reachability.Reachable: Reachable(logger, probe.Id.Aor, probe.Contact, roundTrip.TotalMilliseconds); break;
            case Reachability.Lagged: Lagged(logger, probe.Id.Aor, probe.Contact, roundTrip.TotalMilliseconds, laggedAbove.TotalMilliseconds); break;
            default: Unreachable(logger, probe.Id.Aor, probe.Contact, response.StatusCode); break;
        }
    }

    public void Forget(ClientTransaction transaction) => _pending.TryRemove(transaction, out _);

    /// <summary>Drops the state of bindings that no longer exist.</summary>
    public void Prune(IEnumerable<Binding> removed)
    {
        foreach (var binding in removed) _states.TryRemove((binding.Aor, binding.Key), out _);
    }

    private QualifyState StateOfKey((string, string) id) =>
        _states.TryGetValue(id, out var state) ? state : new QualifyState(Reachability.Unknown, null, null);

    private byte[] BuildOptions(Binding binding)
    {
        using var buffer = new PooledBufferWriter(512);
        var writer = new SipMessageWriter(buffer);
        writer.WriteRequestLine(SipMethod.Options, Encoding.UTF8.GetBytes(binding.Contact));
        writer.WriteHeader(HeaderKind.Via, endpoints.Via(binding.Flow.Transport, SipIds.NewBranch()));
        foreach (var hop in binding.Path) writer.WriteHeader(HeaderKind.Route, hop);
        writer.WriteHeader(HeaderKind.MaxForwards, 70);
        writer.WriteHeader(HeaderKind.From, $"<sip:pbx@{endpoints.Host}>;tag={SipIds.NewTag()}");
        writer.WriteHeader(HeaderKind.To, $"<{binding.Contact}>");
        writer.WriteHeader(HeaderKind.CallId, SipIds.NewCallId());
        writer.WriteCSeq(1, "OPTIONS"u8);
        writer.WriteBody([]);
        return buffer.WrittenSpan.ToArray();
    }

    private async Task RunAsync()
    {
        var slices = Math.Max(1, (int)interval.TotalSeconds);
        for (var slice = 0; !_stop.IsCancellationRequested; slice = (slice + 1) % slices)
        {
            ProbeSlice(slice, slices);
            try { await Task.Delay(TimeSpan.FromSeconds(1), time, _stop.Token); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Stops probing; safe to call more than once (the SIP service stops it, then the container disposes it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }

    private int _disposed;

    private sealed record Probe((string Aor, string Key) Id, string Contact, long SentAt);

    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "REACHABLE {Aor} {Contact} ({Milliseconds:0.0} ms)")]
    private static partial void Reachable(ILogger logger, string aor, string contact, double milliseconds);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "LAGGED {Aor} {Contact} ({Milliseconds:0} ms, threshold {Threshold:0} ms)")]
    private static partial void Lagged(ILogger logger, string aor, string contact, double milliseconds, double threshold);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "UNREACHABLE {Aor} {Contact} (OPTIONS got {Status}); a NAT timeout shorter than the re-register interval is the usual cause")]
    private static partial void Unreachable(ILogger logger, string aor, string contact, int status);
}

using Microsoft.Extensions.Logging;

namespace Pbx.Sip.Registrar;

/// <summary>
/// Writes binding changes to the store in batches, off the request path: a REGISTER is answered from memory and
/// one transaction per interval carries every change since the last, however many phones re-registered. A crash
/// loses at most one interval of refreshes, which the phones repeat anyway.
/// </summary>
public sealed partial class BindingPersister(IBindingStore store, TimeProvider time, ILogger logger, TimeSpan? interval = null) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromMilliseconds(500);
    private Dictionary<(string Aor, string Key), Binding> _changed = [];
    private Dictionary<(string Aor, string Key), Binding> _removed = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop ??= Task.Run(RunAsync);

    public void Enqueue(IReadOnlyList<Binding> changed, IReadOnlyList<Binding> removed)
    {
        if (changed.Count == 0 && removed.Count == 0) return;
        lock (_lock)
        {
            foreach (var b in changed) { _removed.Remove((b.Aor, b.Key)); _changed[(b.Aor, b.Key)] = b; }
            foreach (var b in removed) { _changed.Remove((b.Aor, b.Key)); _removed[(b.Aor, b.Key)] = b; }
        }
    }

    /// <summary>Writes whatever is pending now; also called once more when the daemon stops.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<(string, string), Binding> changed, removed;
        lock (_lock)
        {
            if (_changed.Count == 0 && _removed.Count == 0) return;
            (changed, _changed) = (_changed, []);
            (removed, _removed) = (_removed, []);
        }
        try
        {
            await store.SaveAsync(changed.Values, removed.Values, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Keep the batch for the next round unless something newer replaced it meanwhile.
            lock (_lock)
            {
                foreach (var (key, b) in changed) _changed.TryAdd(key, b);
                foreach (var (key, b) in removed) if (!_changed.ContainsKey(key)) _removed.TryAdd(key, b);
            }
            StoreFailed(logger, ex.Message);
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(_interval, time, _stop.Token); }
            catch (OperationCanceledException) { break; }
            await FlushAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        await FlushAsync(CancellationToken.None);
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Bindings could not be saved, retrying: {Reason}")]
    private static partial void StoreFailed(ILogger logger, string reason);
}

namespace Pbx.Calls;

/// <summary>
/// Runs one call's events one at a time, in order, on the thread pool, so call state needs no locks and nothing
/// waits on a lock while holding one. A handler that throws is reported and the queue goes on.
/// </summary>
internal sealed class SerialQueue(Action<Exception> onError)
{
    private readonly Queue<Action> _pending = new();
    private readonly Lock _sync = new();
    private bool _running;

    public void Post(Action action)
    {
        lock (_sync)
        {
            _pending.Enqueue(action);
            if (_running) return;
            _running = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static q => q.Drain(), this, preferLocal: false);
    }

    private void Drain()
    {
        while (true)
        {
            Action next;
            lock (_sync)
            {
                if (!_pending.TryDequeue(out next!))
                {
                    _running = false;
                    return;
                }
            }
            try { next(); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { onError(ex); }
        }
    }
}

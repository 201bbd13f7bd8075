namespace Pbx.Sip.Auth;

/// <summary>
/// Highest nonce-count seen per nonce (RFC 7616 §3.4: a repeated or lower nc is a replay). Bounded: past capacity the
/// oldest nonces are forgotten, and a forgotten nonce used again with nc &gt; 1 is refused (answered stale) rather than trusted.
/// </summary>
internal sealed class NonceCountTracker
{
    private readonly int _capacity;
    private readonly Dictionary<string, uint> _highest = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public NonceCountTracker(int capacity)
    {
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_lock) return _highest.Count;
        }
    }

    /// <summary>Records nc for the nonce; false when it is not greater than what was seen (or the nonce was forgotten).</summary>
    public bool TryAccept(string nonce, uint nonceCount)
    {
        lock (_lock)
        {
            if (_highest.TryGetValue(nonce, out uint seen))
            {
                if (nonceCount <= seen) return false;
                _highest[nonce] = nonceCount;
                return true;
            }
            if (nonceCount != 1) return false;
            while (_highest.Count >= _capacity && _order.TryDequeue(out var oldest)) _highest.Remove(oldest);
            _highest[nonce] = nonceCount;
            _order.Enqueue(nonce);
            return true;
        }
    }
}

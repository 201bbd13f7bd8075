namespace Pbx.Xmpp.Messaging;

/// <summary>
/// Archive ids that sort in the order they were issued (hex milliseconds plus a sequence), so a
/// host can page by comparing ids even across restarts, as long as the clock does not step back.
/// </summary>
internal sealed class ArchiveIds(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private long _lastMilliseconds;
    private int _sequence;

    public string Next()
    {
        long now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (now <= _lastMilliseconds)
            {
                now = _lastMilliseconds;
                _sequence++;
            }
            else
            {
                _lastMilliseconds = now;
                _sequence = 0;
            }
            if (_sequence > 0xFFFF)
            {
                _lastMilliseconds = ++now;
                _sequence = 0;
            }
            return $"{now:x12}{_sequence:x4}";
        }
    }
}

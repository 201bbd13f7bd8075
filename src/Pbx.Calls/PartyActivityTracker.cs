namespace Pbx.Calls;

/// <summary>
/// Counts each user's ringing and connected legs across all calls and reports the resulting activity when it changes:
/// any connected leg means on the phone, else any ringing leg means ringing, else idle.
/// </summary>
public sealed class PartyActivityTracker(ICallEvents events)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, (int Ringing, int Connected)> _counts = new(StringComparer.OrdinalIgnoreCase);

    public PartyActivity Get(string loginId)
    {
        lock (_sync) return _counts.TryGetValue(loginId, out var c) ? Activity(c) : PartyActivity.Idle;
    }

    public void Change(string loginId, int ringing, int connected)
    {
        PartyActivity before, after;
        lock (_sync)
        {
            _counts.TryGetValue(loginId, out var c);
            before = Activity(c);
            c = (Math.Max(0, c.Ringing + ringing), Math.Max(0, c.Connected + connected));
            if (c == (0, 0)) _counts.Remove(loginId);
            else _counts[loginId] = c;
            after = Activity(c);
        }
        if (before != after) events.ActivityChanged(loginId, after);
    }

    private static PartyActivity Activity((int Ringing, int Connected) c) =>
        c.Connected > 0 ? PartyActivity.OnThePhone : c.Ringing > 0 ? PartyActivity.Ringing : PartyActivity.Idle;
}

using System.Xml.Linq;

namespace Pbx.Xmpp.Sessions;

/// <summary>
/// XEP-0198 counters of one session: stanzas handled from the client (h) and stanzas sent to it
/// that it has not acknowledged yet. Guarded by the owning session's lock.
/// </summary>
internal sealed class StreamManagementState(string id, bool resumable, int maxUnacked)
{
    private readonly Queue<(uint Sequence, XElement Stanza)> _unacked = new();
    private uint _sent;

    public string Id { get; } = id;
    public bool Resumable { get; } = resumable;
    public uint InboundHandled { get; set; }
    public int UnackedCount => _unacked.Count;

    /// <summary>Records an outgoing stanza; false if the client has let too many go unacknowledged.</summary>
    public bool Track(XElement stanza)
    {
        if (_unacked.Count >= maxUnacked) return false;
        _sent++;
        _unacked.Enqueue((_sent, stanza));
        return true;
    }

    /// <summary>Applies the client's count (wrapping at 2^32 per XEP-0198 §4); false if it acknowledges more than was sent.</summary>
    public bool Acknowledge(uint handled)
    {
        uint outstanding = _sent - handled;
        if (outstanding > (uint)_unacked.Count) return false;
        while (_unacked.Count > outstanding) _unacked.Dequeue();
        return true;
    }

    public IReadOnlyList<XElement> Unacked() => _unacked.Select(u => u.Stanza).ToArray();

    public IReadOnlyList<XElement> TakeUnacked()
    {
        var stanzas = Unacked();
        _unacked.Clear();
        return stanzas;
    }
}

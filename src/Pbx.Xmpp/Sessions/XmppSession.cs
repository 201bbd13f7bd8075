using System.Net;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Streams;

namespace Pbx.Xmpp.Sessions;

/// <summary>
/// A bound resource of a user. Its stanza processing is sequential (the connection's read loop),
/// but other sessions read its presence state concurrently, hence the lock around that state.
/// </summary>
public sealed class XmppSession
{
    private static readonly XName AckRequest = XName.Get("r", "urn:xmpp:sm:3");
    private const int AckRequestInterval = 5;

    private readonly Lock _lock = new();
    private readonly Lock _sendLock = new();
    private ISessionTransport? _transport;
    private StreamManagementState? _streamManagement;
    private int _attachmentGeneration;
    private int _ended;
    private bool _sealed;
    private readonly HashSet<Jid> _directedPresenceTargets = [];
    private XElement? _lastPresence;
    private int _priority;

    public XmppSession(Jid fullJid, IPEndPoint? remoteEndPoint, ISessionTransport transport)
    {
        if (fullJid.Resource is null || fullJid.Local is null) throw new ArgumentException("A session needs a full JID.", nameof(fullJid));
        FullJid = fullJid;
        BareJid = fullJid.Bare;
        RemoteEndPoint = remoteEndPoint;
        _transport = transport;
    }

    public Jid FullJid { get; }
    public Jid BareJid { get; }
    public string User => FullJid.Local!;
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Set when the client fetched its roster; only such "interested" resources get roster pushes (RFC 6121 §2.1.6).</summary>
    public bool IsRosterInterested { get; set; }

    public bool CarbonsEnabled { get; set; }

    /// <summary>Set when the client fetched its block list; only such resources get block list pushes (XEP-0191 §3.5).</summary>
    public bool IsBlocklistInterested { get; set; }

    /// <summary>True once the session sent available presence and has not gone unavailable since.</summary>
    public bool IsAvailable
    {
        get { lock (_lock) return _lastPresence is not null; }
    }

    public int Priority
    {
        get { lock (_lock) return _priority; }
    }

    /// <summary>The last available presence broadcast by this resource, stamped with its full JID.</summary>
    public XElement? LastPresence
    {
        get { lock (_lock) return _lastPresence; }
    }

    internal void SetAvailable(XElement presence, int priority)
    {
        lock (_lock)
        {
            _lastPresence = presence;
            _priority = priority;
        }
    }

    internal void SetUnavailable()
    {
        lock (_lock)
        {
            _lastPresence = null;
            _priority = 0;
        }
    }

    internal void AddDirectedPresenceTarget(Jid target)
    {
        lock (_lock) _directedPresenceTargets.Add(target);
    }

    internal void RemoveDirectedPresenceTarget(Jid target)
    {
        lock (_lock) _directedPresenceTargets.Remove(target);
    }

    internal bool HasDirectedPresenceTargets
    {
        get { lock (_lock) return _directedPresenceTargets.Count > 0; }
    }

    internal IReadOnlyList<Jid> TakeDirectedPresenceTargets()
    {
        lock (_lock)
        {
            var targets = _directedPresenceTargets.ToList();
            _directedPresenceTargets.Clear();
            return targets;
        }
    }

    /// <summary>
    /// Queues a stanza for the client. With stream management on, the stanza is also kept until
    /// acknowledged, and while the connection is away (awaiting resumption) it is only kept.
    /// </summary>
    public bool Send(XElement stanza)
    {
        lock (_sendLock)
        {
            // After end-of-life collected the unacknowledged stanzas, nothing may slip in unseen.
            if (_sealed) return false;
            var sm = _streamManagement;
            if (sm is not null && !sm.Track(stanza))
            {
                if (_transport is { } attached) attached.Terminate(StreamErrorCondition.PolicyViolation, "Too many unacknowledged stanzas.");
                else DetachedQueueFull?.Invoke(this);
                return false;
            }
            if (_transport is not { } transport) return sm is not null;
            bool sent = transport.TrySend(stanza);
            if (sm is not null && sm.UnackedCount % AckRequestInterval == 0) transport.TrySend(new XElement(AckRequest));
            return sent;
        }
    }

    public void Terminate(StreamErrorCondition condition, string? text = null)
    {
        ISessionTransport? transport;
        lock (_sendLock) transport = _transport;
        transport?.Terminate(condition, text);
    }

    /// <summary>True for the one caller that gets to run the session's end-of-life work.</summary>
    internal bool TryMarkEnded() => Interlocked.Exchange(ref _ended, 1) == 0;

    /// <summary>Raised (under the send lock: handlers must not call back in synchronously) when a hibernating session can keep no more.</summary>
    internal Action<XmppSession>? DetachedQueueFull { get; set; }

    internal bool IsStreamManaged
    {
        get { lock (_sendLock) return _streamManagement is not null; }
    }

    internal bool IsResumable
    {
        get { lock (_sendLock) return _streamManagement?.Resumable == true; }
    }

    internal string? StreamManagementId
    {
        get { lock (_sendLock) return _streamManagement?.Id; }
    }

    internal uint InboundHandled
    {
        get { lock (_sendLock) return _streamManagement?.InboundHandled ?? 0; }
    }

    internal bool IsAttachedTo(ISessionTransport transport)
    {
        lock (_sendLock) return ReferenceEquals(_transport, transport);
    }

    internal bool IsDetached(int generation)
    {
        lock (_sendLock) return _transport is null && _attachmentGeneration == generation;
    }

    /// <summary>Turns on XEP-0198; the reply goes out first so no counted stanza precedes it.</summary>
    internal bool EnableStreamManagement(XElement enabledReply, string id, bool resumable, int maxUnacked)
    {
        lock (_sendLock)
        {
            if (_streamManagement is not null || _transport is null) return false;
            _transport.TrySend(enabledReply);
            _streamManagement = new StreamManagementState(id, resumable, maxUnacked);
            return true;
        }
    }

    internal void CountInboundStanza()
    {
        lock (_sendLock)
        {
            if (_streamManagement is { } sm) sm.InboundHandled++;
        }
    }

    internal bool Acknowledge(uint handled)
    {
        lock (_sendLock) return _streamManagement?.Acknowledge(handled) ?? true;
    }

    /// <summary>Detaches the connection if it is still the current one; returns the new attachment generation, or null.</summary>
    internal int? Detach(ISessionTransport transport)
    {
        lock (_sendLock)
        {
            if (!ReferenceEquals(_transport, transport)) return null;
            _transport = null;
            return ++_attachmentGeneration;
        }
    }

    /// <summary>
    /// Moves the session onto a new connection (XEP-0198 §5): drops what the client acknowledged
    /// and resends the rest there, in order. Returns the previous connection, if any.
    /// </summary>
    internal ISessionTransport? Resume(ISessionTransport transport, XElement resumedReply, uint handled, out bool acknowledged)
    {
        lock (_sendLock)
        {
            var previous = _transport;
            _transport = transport;
            _attachmentGeneration++;
            transport.TrySend(resumedReply);
            acknowledged = _streamManagement!.Acknowledge(handled);
            foreach (var stanza in _streamManagement.Unacked()) transport.TrySend(stanza);
            return previous;
        }
    }

    /// <summary>Collects what the client never acknowledged and refuses any later send, so callers fall back to offline storage.</summary>
    internal IReadOnlyList<XElement> TakeUnackedAndSeal()
    {
        lock (_sendLock)
        {
            _sealed = true;
            return _streamManagement?.TakeUnacked() ?? [];
        }
    }

    public override string ToString() => FullJid.ToString();
}

using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Muc;

/// <summary>
/// One multi-user chat room (XEP-0045): open, non-anonymous, unmoderated. State changes and the
/// resulting sends happen under one short lock so every occupant sees events in the same order;
/// sends only enqueue, so the lock never waits on the network.
/// </summary>
internal sealed class MucRoom(Jid jid, string? title, string? subject, bool persistent, int historySize, int maxOccupants)
{
    private readonly Lock _lock = new();
    private readonly List<MucOccupant> _occupants = [];
    private readonly Queue<(XElement Message, DateTimeOffset At)> _history = new();
    private string? _subject = subject;
    private string? _subjectBy;

    public Jid Jid { get; } = jid;
    public string Title { get; } = title ?? jid.Local!;
    public bool IsPersistent { get; } = persistent;

    public int OccupantCount
    {
        get { lock (_lock) return _occupants.Count; }
    }

    /// <summary>Joins or updates presence; null on success, otherwise the error to return.</summary>
    public StanzaErrorCondition? Join(XmppSession session, string nick, XElement presence, bool created, int? maxHistory, Func<DateTimeOffset, string> stamp)
    {
        lock (_lock)
        {
            var existing = _occupants.Find(o => o.Session == session);
            if (existing is not null)
            {
                if (existing.Nick != nick) return StanzaErrorCondition.NotAcceptable;
                existing.Presence = Strip(presence);
                BroadcastPresence(existing, selfStatuses: ["110"]);
                return null;
            }
            if (_occupants.Any(o => o.Nick == nick && o.Session.BareJid != session.BareJid)) return StanzaErrorCondition.Conflict;
            if (_occupants.Count >= maxOccupants) return StanzaErrorCondition.ServiceUnavailable;

            var occupant = created
                ? new MucOccupant(nick, session, "owner", "moderator")
                : new MucOccupant(nick, session, "member", "participant");
            occupant.Presence = Strip(presence);
            foreach (var other in _occupants)
            {
                session.Send(OccupantPresence(other, session.FullJid, statuses: []));
            }
            _occupants.Add(occupant);
            BroadcastPresence(occupant, selfStatuses: created ? ["110", "100", "201"] : ["110", "100"]);
            SendHistory(session, maxHistory, stamp);
            session.Send(new XElement(Stanza.Message,
                new XAttribute("type", "groupchat"),
                new XAttribute("from", _subjectBy is null ? Jid.ToString() : Jid.WithResource(_subjectBy).ToString()),
                new XAttribute("to", session.FullJid.ToString()),
                new XAttribute("id", Stanza.NewId()),
                new XElement(Ns.Client + "subject", _subject ?? "")));
            return null;
        }
    }

    /// <summary>Removes the session; returns true if the room is now empty.</summary>
    public bool Leave(XmppSession session, XElement? presence)
    {
        lock (_lock)
        {
            var occupant = _occupants.Find(o => o.Session == session);
            if (occupant is null) return _occupants.Count == 0;
            _occupants.Remove(occupant);
            var unavailable = new XElement(Stanza.Presence, new XAttribute("type", "unavailable"));
            if (presence?.Element(Ns.Client + "status") is { } status) unavailable.Add(new XElement(status));
            occupant.Presence = unavailable;
            session.Send(OccupantPresence(occupant, session.FullJid, ["110"], leaving: true));
            foreach (var other in _occupants)
            {
                other.Session.Send(OccupantPresence(occupant, other.Session.FullJid, [], leaving: true));
            }
            return _occupants.Count == 0;
        }
    }

    public StanzaErrorCondition? Broadcast(XmppSession sender, XElement message, DateTimeOffset now)
    {
        lock (_lock)
        {
            var occupant = _occupants.Find(o => o.Session == sender);
            if (occupant is null) return StanzaErrorCondition.NotAcceptable;
            var from = Jid.WithResource(occupant.Nick);
            var stamped = Stanza.Readdressed(message, null, from);
            if (message.Element(Ns.Client + "subject") is { } subject && message.Element(Ns.Client + "body") is null)
            {
                _subject = subject.Value;
                _subjectBy = occupant.Nick;
            }
            else
            {
                _history.Enqueue((stamped, now));
                while (_history.Count > historySize) _history.Dequeue();
            }
            foreach (var other in _occupants)
            {
                other.Session.Send(Stanza.Readdressed(stamped, other.Session.FullJid, from));
            }
            return null;
        }
    }

    /// <summary>A private message between occupants (XEP-0045 §7.5).</summary>
    public StanzaErrorCondition? SendPrivate(XmppSession sender, string nick, XElement message)
    {
        lock (_lock)
        {
            var occupant = _occupants.Find(o => o.Session == sender);
            if (occupant is null) return StanzaErrorCondition.NotAcceptable;
            var targets = _occupants.Where(o => o.Nick == nick).ToList();
            if (targets.Count == 0) return StanzaErrorCondition.ItemNotFound;
            var from = Jid.WithResource(occupant.Nick);
            foreach (var target in targets)
            {
                var copy = Stanza.Readdressed(message, target.Session.FullJid, from);
                copy.Add(new XElement(Ns.MucUser + "x"));
                target.Session.Send(copy);
            }
            return null;
        }
    }

    public bool IsOccupant(XmppSession session)
    {
        lock (_lock) return _occupants.Any(o => o.Session == session);
    }

    public bool IsOwner(XmppSession session)
    {
        lock (_lock) return _occupants.Any(o => o.Session == session && o.Affiliation == "owner");
    }

    private void BroadcastPresence(MucOccupant occupant, string[] selfStatuses)
    {
        foreach (var other in _occupants)
        {
            bool self = other.Session == occupant.Session;
            other.Session.Send(OccupantPresence(occupant, other.Session.FullJid, self ? selfStatuses : []));
        }
    }

    private void SendHistory(XmppSession session, int? maxHistory, Func<DateTimeOffset, string> stamp)
    {
        int skip = maxHistory is { } max ? Math.Max(0, _history.Count - max) : 0;
        foreach (var (message, at) in _history.Skip(skip))
        {
            var copy = Stanza.Readdressed(message, session.FullJid, message.From());
            copy.Add(new XElement(Ns.Delay + "delay", new XAttribute("from", Jid.ToString()), new XAttribute("stamp", stamp(at))));
            session.Send(copy);
        }
    }

    private XElement OccupantPresence(MucOccupant occupant, Jid to, string[] statuses, bool leaving = false)
    {
        var presence = Stanza.Readdressed(occupant.Presence, to, Jid.WithResource(occupant.Nick));
        var x = new XElement(Ns.MucUser + "x", occupant.UserItem(leaving));
        foreach (var code in statuses) x.Add(new XElement(Ns.MucUser + "status", new XAttribute("code", code)));
        presence.Add(x);
        return presence;
    }

    /// <summary>Keeps show/status/priority and extensions, minus the join request itself.</summary>
    private static XElement Strip(XElement presence)
    {
        var copy = new XElement(Stanza.Presence);
        foreach (var child in presence.Elements())
        {
            if (child.Name.Namespace != Ns.Muc && child.Name.Namespace != Ns.MucUser) copy.Add(new XElement(child));
        }
        return copy;
    }
}

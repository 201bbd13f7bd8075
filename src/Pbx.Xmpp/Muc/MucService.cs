using System.Collections.Concurrent;
using System.Globalization;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Muc;

/// <summary>
/// The multi-user chat service on its own subdomain (XEP-0045 subset): persistent rooms from the
/// host's configuration plus ad-hoc rooms created by joining and removed when they empty.
/// Room history lives in memory only.
/// </summary>
internal sealed class MucService : ISessionObserver
{
    private readonly XmppServerContext _context;
    private readonly ConcurrentDictionary<string, MucRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<XmppSession, ConcurrentDictionary<string, byte>> _roomsBySession = new();
    private readonly Lock _roomsLock = new();

    public MucService(XmppServerContext context, Jid serviceJid)
    {
        _context = context;
        ServiceJid = serviceJid;
        foreach (var definition in context.Options.PersistentRooms)
        {
            if (!Jid.TryCreate(definition.Name, serviceJid.Domain, null, out var roomJid)) continue;
            _rooms[roomJid.Local!] = NewRoom(roomJid, definition.Title, definition.Subject, persistent: true);
        }
    }

    public Jid ServiceJid { get; }

    public bool Serves(Jid jid) => jid.Domain == ServiceJid.Domain;

    public IEnumerable<MucRoom> Rooms => _rooms.Values;

    public async ValueTask HandleAsync(XmppSession sender, XElement stanza, Jid to, CancellationToken cancellationToken)
    {
        if (stanza.Name == Stanza.Presence) HandlePresence(sender, stanza, to);
        else if (stanza.Name == Stanza.Message) HandleMessage(sender, stanza, to);
        else await MucIqHandler.HandleAsync(this, sender, stanza, to, cancellationToken).ConfigureAwait(false);
    }

    public MucRoom? Find(Jid jid) => jid.Local is null ? null : _rooms.GetValueOrDefault(jid.Local);

    public ValueTask OnSessionEndedAsync(XmppSession session, bool replaced, CancellationToken cancellationToken)
    {
        if (_roomsBySession.TryRemove(session, out var joined))
        {
            foreach (var name in joined.Keys)
            {
                if (_rooms.TryGetValue(name, out var room)) LeaveRoom(room, session, null);
            }
        }
        return ValueTask.CompletedTask;
    }

    private void HandlePresence(XmppSession sender, XElement stanza, Jid to)
    {
        string? type = stanza.Type();
        if (type == "error") return;
        if (to.Local is null || to.Resource is null)
        {
            if (type is null) Reply(sender, stanza, StanzaErrorCondition.JidMalformed, "A nickname is required.");
            return;
        }
        if (type == "unavailable")
        {
            if (Find(to) is { } joined) LeaveRoom(joined, sender, stanza);
            return;
        }
        if (type is not null) return;

        int? maxHistory = null;
        var history = stanza.Element(Ns.Muc + "x")?.Element(Ns.Muc + "history");
        if (int.TryParse((string?)history?.Attribute("maxstanzas"), NumberStyles.None, CultureInfo.InvariantCulture, out int max)) maxHistory = max;

        MucRoom? room;
        StanzaErrorCondition? error;
        // Joining and dropping an emptied ad-hoc room are serialized, so nobody joins a room that is being removed.
        lock (_roomsLock)
        {
            room = Find(to);
            bool created = false;
            if (room is null)
            {
                if (_rooms.Count >= _context.Options.MucMaxRooms)
                {
                    Reply(sender, stanza, StanzaErrorCondition.ResourceConstraint, "Too many rooms.");
                    return;
                }
                room = NewRoom(to.Bare, null, null, persistent: false);
                created = true;
            }
            error = room.Join(sender, to.Resource, stanza, created, maxHistory, Stamp);
            if (error is null && created) _rooms[room.Jid.Local!] = room;
        }
        if (error is { } condition)
        {
            Reply(sender, stanza, condition);
            return;
        }
        _roomsBySession.GetOrAdd(sender, _ => new()).TryAdd(room.Jid.Local!, 0);
    }

    private void HandleMessage(XmppSession sender, XElement stanza, Jid to)
    {
        string type = stanza.Type() ?? "normal";
        if (type == "error") return;
        var room = Find(to);
        if (room is null)
        {
            Reply(sender, stanza, StanzaErrorCondition.ItemNotFound);
            return;
        }
        StanzaErrorCondition? error;
        if (to.Resource is null)
        {
            error = type == "groupchat" ? room.Broadcast(sender, stanza, _context.Time.GetUtcNow()) : StanzaErrorCondition.BadRequest;
        }
        else
        {
            error = type == "groupchat" ? StanzaErrorCondition.BadRequest : room.SendPrivate(sender, to.Resource, stanza);
        }
        if (error is { } condition) Reply(sender, stanza, condition);
    }

    private void LeaveRoom(MucRoom room, XmppSession session, XElement? presence)
    {
        bool empty = room.Leave(session, presence);
        if (_roomsBySession.TryGetValue(session, out var joined)) joined.TryRemove(room.Jid.Local!, out _);
        if (empty && !room.IsPersistent)
        {
            lock (_roomsLock)
            {
                // Someone may have joined between Leave and here; only drop a room that is still empty.
                if (room.OccupantCount == 0) _rooms.TryRemove(new KeyValuePair<string, MucRoom>(room.Jid.Local!, room));
            }
        }
    }

    private MucRoom NewRoom(Jid jid, string? title, string? subject, bool persistent) =>
        new(jid, title, subject, persistent, _context.Options.MucHistorySize, _context.Options.MucMaxOccupantsPerRoom);

    private string Stamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static void Reply(XmppSession sender, XElement stanza, StanzaErrorCondition condition, string? text = null)
    {
        if (stanza.Type() == "error") return;
        var reply = StanzaErrors.CreateReply(stanza, condition, text);
        reply.SetAttributeValue("to", sender.FullJid.ToString());
        sender.Send(reply);
    }
}

using System.Xml.Linq;
using Pbx.Xmpp.Blocking;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Muc;
using Pbx.Xmpp.Presence;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Sessions;
using Pbx.Xmpp.Streams;

namespace Pbx.Xmpp.Routing;

/// <summary>
/// Entry point for stanzas from bound sessions: checks addressing, then hands each stanza to the
/// one module responsible for it. iq payloads are dispatched by qualified element name.
/// </summary>
internal sealed class StanzaRouter
{
    private readonly XmppServerContext _context;
    private readonly Dictionary<XName, IIqHandler> _iqHandlers = new();
    private readonly PresenceHandler _presence;
    private readonly MessageRouter _messages;
    private readonly MucService? _muc;
    private readonly BlockingService _blocking;

    public StanzaRouter(XmppServerContext context, IEnumerable<IIqHandler> iqHandlers, PresenceHandler presence, MessageRouter messages,
        MucService? muc, BlockingService blocking)
    {
        _blocking = blocking;
        _context = context;
        _muc = muc;
        _presence = presence;
        _messages = messages;
        foreach (var handler in iqHandlers)
        {
            foreach (var payload in handler.Payloads) _iqHandlers.Add(payload, handler);
        }
    }

    public async ValueTask RouteAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        if (stanza.Attribute("from") is { } fromAttribute)
        {
            // RFC 6120 §8.1.2.1: a client may only claim its own full or bare JID.
            if (!Jid.TryParse(fromAttribute.Value, out var claimed) || (claimed != sender.FullJid && claimed != sender.BareJid))
            {
                throw new StreamErrorException(StreamErrorCondition.InvalidFrom);
            }
        }
        if (stanza.Attribute("to") is { } toAttribute && !Jid.TryParse(toAttribute.Value, out _))
        {
            if (stanza.Type() != "error") sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.JidMalformed));
            return;
        }
        try
        {
            if (_muc is not null && stanza.To() is { } target && _muc.Serves(target))
            {
                await _muc.HandleAsync(sender, stanza, target, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (stanza.Name == Stanza.Message) await _messages.HandleAsync(sender, stanza, cancellationToken).ConfigureAwait(false);
            else if (stanza.Name == Stanza.Presence) await _presence.HandleAsync(sender, stanza, cancellationToken).ConfigureAwait(false);
            else await RouteIqAsync(sender, stanza, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or StreamErrorException))
        {
            // A failing module or host store must not take the session down with it.
            XmppLog.StanzaHandlerFailed(_context.Logger, sender.FullJid.ToString(), ex);
            if (stanza.Type() is not ("error" or "result"))
            {
                sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.InternalServerError));
            }
        }
    }

    private async ValueTask RouteIqAsync(XmppSession sender, XElement stanza, CancellationToken cancellationToken)
    {
        string? type = stanza.Type();
        var to = stanza.To();
        if (type is "result" or "error")
        {
            // Replies to server-originated requests (e.g. roster pushes) end here.
            if (to?.Resource is not null && _context.Sessions.Find(to) is { } recipient)
            {
                recipient.Send(Stanza.Readdressed(stanza, to, sender.FullJid));
            }
            return;
        }
        if (type is not ("get" or "set") || stanza.Id() is null || stanza.Elements().Count() != 1)
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.BadRequest));
            return;
        }
        if (to is not null && !_context.IsLocalDomain(to))
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.RemoteServerNotFound));
            return;
        }
        if (to?.Resource is not null)
        {
            if (to.Local is not null && _context.Sessions.Find(to) is { } target)
            {
                if (await _blocking.BlocksAsync(sender.User, to, cancellationToken).ConfigureAwait(false))
                {
                    sender.Send(StanzaErrors.CreateBlockedReply(stanza));
                }
                else if (await _blocking.BlocksAsync(to.Local, sender.FullJid, cancellationToken).ConfigureAwait(false))
                {
                    sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.ServiceUnavailable));
                }
                else
                {
                    target.Send(Stanza.Readdressed(stanza, to, sender.FullJid));
                }
            }
            else
            {
                sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.ServiceUnavailable));
            }
            return;
        }
        var account = to ?? sender.BareJid;
        bool targetsServer = account.Local is null;
        if (!targetsServer && account != sender.BareJid && !await _context.IsLocalUserAsync(account, cancellationToken).ConfigureAwait(false))
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.ServiceUnavailable));
            return;
        }
        var payload = stanza.Elements().First();
        if (!_iqHandlers.TryGetValue(payload.Name, out var handler))
        {
            sender.Send(StanzaErrors.CreateReply(stanza, StanzaErrorCondition.ServiceUnavailable));
            return;
        }
        var stamped = Stanza.Readdressed(stanza, to, sender.FullJid);
        await handler.HandleAsync(new IqRequest(sender, stamped, stamped.Elements().First(), account, targetsServer), cancellationToken).ConfigureAwait(false);
    }
}

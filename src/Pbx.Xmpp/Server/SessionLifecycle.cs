using System.Collections.Concurrent;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Server;

/// <summary>
/// Ends bound sessions (presence, rooms, undelivered stanzas) and keeps stream-managed sessions
/// alive for resumption after their connection drops (XEP-0198 §5).
/// </summary>
internal sealed class SessionLifecycle(XmppServerContext context, IReadOnlyList<ISessionObserver> observers, OfflineDelivery offline)
{
    private readonly ConcurrentDictionary<string, XmppSession> _resumable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<XmppSession, ITimer> _expiryTimers = new();

    public void RegisterResumable(XmppSession session)
    {
        if (session.StreamManagementId is not { } id) return;
        session.DetachedQueueFull ??= full =>
        {
            // Give up waiting: end it now so later messages go to offline storage instead of being dropped.
            if (_resumable.TryRemove(new KeyValuePair<string, XmppSession>(id, full))) _ = Task.Run(() => ExpireAsync(full));
        };
        _resumable[id] = session;
    }

    /// <summary>
    /// Takes the session out of the resumable table so that a racing expiry cannot end it; the
    /// caller re-registers it once resumed. Expiry claims the same way, so exactly one of them wins.
    /// </summary>
    public XmppSession? ClaimResumable(string id, string user)
    {
        if (!_resumable.TryGetValue(id, out var session) || session.User != user) return null;
        if (!_resumable.TryRemove(new KeyValuePair<string, XmppSession>(id, session))) return null;
        CancelExpiry(session);
        return session;
    }

    /// <summary>Called when the connection of a resumable session drops; the session waits for its client.</summary>
    public void Hibernate(XmppSession session, int generation)
    {
        var timer = context.Time.CreateTimer(_ =>
        {
            if (_expiryTimers.TryRemove(session, out var fired)) fired.Dispose();
            if (session.IsDetached(generation) && session.StreamManagementId is { } id
                && _resumable.TryRemove(new KeyValuePair<string, XmppSession>(id, session)))
            {
                _ = ExpireAsync(session);
            }
        }, null, context.Options.StreamResumptionTimeout, Timeout.InfiniteTimeSpan);
        if (_expiryTimers.TryGetValue(session, out var previous)) previous.Dispose();
        _expiryTimers[session] = timer;
    }

    /// <summary>
    /// A new bind took over the session's full JID: it ends now (rooms left, unacknowledged
    /// messages saved), but contacts are not told it went offline since the same JID lives on.
    /// </summary>
    public void Replaced(XmppSession session) => _ = Task.Run(() => ExpireAsync(session));

    public void CancelExpiry(XmppSession session)
    {
        if (_expiryTimers.TryRemove(session, out var timer)) timer.Dispose();
    }

    private async Task ExpireAsync(XmppSession session)
    {
        try
        {
            await EndAsync(session).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            XmppLog.StanzaHandlerFailed(context.Logger, session.FullJid.ToString(), ex);
        }
    }

    /// <summary>Unbinds the session, tells contacts and rooms it left, and saves messages it never acknowledged.</summary>
    public async Task EndAsync(XmppSession session)
    {
        if (!session.TryMarkEnded()) return;
        CancelExpiry(session);
        if (session.StreamManagementId is { } id) _resumable.TryRemove(new KeyValuePair<string, XmppSession>(id, session));
        bool replaced = !context.Sessions.Remove(session);
        if (!replaced) XmppLog.ResourceUnbound(context.Logger, session.FullJid.ToString());
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnSessionEndedAsync(session, replaced, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                XmppLog.StanzaHandlerFailed(context.Logger, session.FullJid.ToString(), ex);
            }
        }
        try
        {
            await SaveUndeliveredAsync(session, cleanup.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            XmppLog.StanzaHandlerFailed(context.Logger, session.FullJid.ToString(), ex);
        }
    }

    /// <summary>
    /// XEP-0198 §5: stanzas never acknowledged count as undelivered; chat messages go to offline
    /// storage, or straight to the user's other resources if any is online.
    /// </summary>
    private async Task SaveUndeliveredAsync(XmppSession session, CancellationToken cancellationToken)
    {
        bool stored = false;
        foreach (var stanza in session.TakeUnackedAndSeal())
        {
            if (stanza.Name != Stanza.Message || stanza.Type() is not (null or "chat" or "normal")) continue;
            if (stanza.Element(Ns.Client + "body") is null) continue;
            var message = new XElement(stanza);
            if (message.Element(Ns.Delay + "delay") is null)
            {
                message.Add(new XElement(Ns.Delay + "delay",
                    new XAttribute("from", context.Domain.ToString()),
                    new XAttribute("stamp", context.Timestamp())));
            }
            stored |= await context.OfflineStore.TryStoreAsync(session.User, message, cancellationToken).ConfigureAwait(false);
        }
        if (stored) await offline.FlushIfAvailableAsync(session.User, cancellationToken).ConfigureAwait(false);
    }
}

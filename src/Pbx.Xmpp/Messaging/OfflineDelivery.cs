using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Messaging;

/// <summary>Flushes stored messages to a resource when it first becomes available with non-negative priority.</summary>
internal sealed class OfflineDelivery(XmppServerContext context) : ISessionObserver
{
    public async ValueTask OnInitialPresenceAsync(XmppSession session, CancellationToken cancellationToken)
    {
        if (session.Priority < 0) return;
        var messages = await context.OfflineStore.TakeAllAsync(session.User, cancellationToken).ConfigureAwait(false);
        await DeliverOrKeepAsync(session.User, messages, [session], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called right after something was stored offline: the user may have come online in between
    /// (after its initial-presence flush had already run), and must not wait for the next login.
    /// </summary>
    public async ValueTask FlushIfAvailableAsync(string user, CancellationToken cancellationToken)
    {
        var available = context.Sessions.AvailableSessionsOf(user).Where(s => s.Priority >= 0).ToList();
        if (available.Count == 0) return;
        int best = available.Max(s => s.Priority);
        var targets = available.Where(s => s.Priority == best).ToList();
        var messages = await context.OfflineStore.TakeAllAsync(user, cancellationToken).ConfigureAwait(false);
        await DeliverOrKeepAsync(user, messages, targets, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DeliverOrKeepAsync(string user, IReadOnlyList<System.Xml.Linq.XElement> messages,
        IReadOnlyList<XmppSession> targets, CancellationToken cancellationToken)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            bool delivered = false;
            foreach (var target in targets) delivered |= target.Send(new System.Xml.Linq.XElement(messages[i]));
            if (delivered) continue;
            // The connections went away mid-flush: keep what was not handed over.
            for (int j = i; j < messages.Count; j++)
            {
                await context.OfflineStore.TryStoreAsync(user, messages[j], cancellationToken).ConfigureAwait(false);
            }
            return;
        }
    }
}

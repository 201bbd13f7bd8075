using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Routing;

/// <summary>Modules that act on a session's lifecycle (offline delivery, presence cleanup).</summary>
internal interface ISessionObserver
{
    /// <summary>Called after the session's first available presence was broadcast.</summary>
    ValueTask OnInitialPresenceAsync(XmppSession session, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Called once when a bound session ends. <paramref name="replaced"/> is true when a new
    /// session took over the same full JID, so the resource itself lives on.
    /// </summary>
    ValueTask OnSessionEndedAsync(XmppSession session, bool replaced, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

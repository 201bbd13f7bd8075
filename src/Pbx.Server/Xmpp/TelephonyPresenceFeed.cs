using Pbx.Calls;
using Pbx.Calls.Sip;
using Pbx.Server.Calls;
using Pbx.Sip.Registrar;
using Pbx.Storage.Routing;
using Pbx.Telephony.Routing;
using Pbx.Xmpp.Presence;

namespace Pbx.Server.Xmpp;

/// <summary>
/// Feeds telephony presence to XMPP: on the phone or ringing from the B2BUA's call activity, otherwise available
/// while a registration is live and unavailable (grey) without one; plus the DND and always-redirection flags from
/// the routing settings. Every change recomputes the whole state, one publish at a time, so a late publish can
/// never overwrite a newer state with an older one.
/// </summary>
internal sealed partial class TelephonyPresenceFeed(BindingTable bindings, CallEventSink calls, B2buaService b2bua,
    SqliteRoutingSettings settings, XmppHostedService xmpp, TimeProvider time, ILogger<TelephonyPresenceFeed> logger)
    : IHostedService
{
    private readonly SemaphoreSlim _publishing = new(1, 1);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (xmpp.Server is null) return Task.CompletedTask;
        bindings.AorChanged += OnChanged;
        calls.ActivityChangedEvent += OnActivityChanged;
        settings.Changed += OnSettingsChanged;
        foreach (var aor in bindings.RegisteredAors(time.GetUtcNow())) OnChanged(aor);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        bindings.AorChanged -= OnChanged;
        calls.ActivityChangedEvent -= OnActivityChanged;
        settings.Changed -= OnSettingsChanged;
        return Task.CompletedTask;
    }

    private void OnActivityChanged(string loginId, PartyActivity activity) => OnChanged(loginId);

    private void OnSettingsChanged(RoutingParty party)
    {
        if (party is RoutingParty.User user) OnChanged(user.LoginId);
    }

    private void OnChanged(string loginId) => _ = PublishAsync(loginId.ToLowerInvariant());

    private async Task PublishAsync(string loginId)
    {
        if (xmpp.Server is not { } server) return;
        await _publishing.WaitAsync();
        try
        {
            var party = new RoutingParty.User(loginId);
            var dnd = (await settings.GetAsync<DndSettings>(party, CancellationToken.None))?.Active == true;
            var always = (await settings.GetAsync<RedirectionSettings>(party, CancellationToken.None))?.Always is not null;
            var state = b2bua.Activity.Get(loginId) switch
            {
                PartyActivity.OnThePhone => PhoneState.OnThePhone,
                PartyActivity.Ringing => PhoneState.Ringing,
                _ => bindings.Lookup(loginId, time.GetUtcNow()).Count > 0 ? PhoneState.Available : PhoneState.Unavailable,
            };
            await server.PublishTelephonyStateAsync(loginId, new TelephonyState(state, dnd, always));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Presence is advisory: a failure here must never reach the registrar or the call that raised the event.
            PublishFailed(logger, loginId, ex.Message);
        }
        finally
        {
            _publishing.Release();
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Telephony presence of {Aor} could not be published: {Reason}")]
    private static partial void PublishFailed(ILogger logger, string aor, string reason);
}

using Pbx.Sip.Registrar;
using Pbx.Xmpp.Presence;

namespace Pbx.Server.Xmpp;

/// <summary>
/// Feeds telephony presence from the call layer to XMPP. Today that is registration only: a user with a live
/// binding is available, one without is unavailable (grey). Ringing, on the phone and wrap-up come from the B2BUA.
/// </summary>
internal sealed partial class TelephonyPresenceFeed(BindingTable bindings, XmppHostedService xmpp, TimeProvider time, ILogger<TelephonyPresenceFeed> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (xmpp.Server is null) return Task.CompletedTask;
        bindings.AorChanged += OnAorChanged;
        foreach (var aor in bindings.RegisteredAors(time.GetUtcNow())) OnAorChanged(aor);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        bindings.AorChanged -= OnAorChanged;
        return Task.CompletedTask;
    }

    private void OnAorChanged(string aor) => _ = PublishAsync(aor);

    private async Task PublishAsync(string aor)
    {
        if (xmpp.Server is not { } server) return;
        var state = bindings.Lookup(aor, time.GetUtcNow()).Count > 0 ? PhoneState.Available : PhoneState.Unavailable;
        try
        {
            await server.PublishTelephonyStateAsync(aor, new TelephonyState(state));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Presence is advisory: a failure here must never reach the registrar that raised the event.
            PublishFailed(logger, aor, ex.Message);
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "Telephony presence of {Aor} could not be published: {Reason}")]
    private static partial void PublishFailed(ILogger logger, string aor, string reason);
}

using Pbx.Calls.Conferences;
using Pbx.Telephony.Conferences;

namespace Pbx.Server.Conferences;

/// <summary>Loads the dial-in rooms and runs the scheduler that opens scheduled conferences at their start.</summary>
internal sealed class ConferenceHostedService(ConferenceService conferences, IConferenceStore store, TimeProvider time, ILoggerFactory logs)
    : IHostedService, IAsyncDisposable
{
    private ConferenceScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await conferences.LoadAsync(cancellationToken);
        _scheduler = new ConferenceScheduler(store, conferences, time, logs.CreateLogger<ConferenceScheduler>());
        await _scheduler.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null) await _scheduler.DisposeAsync();
        _scheduler = null;
        conferences.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null) await _scheduler.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using Pbx.Telephony.Conferences;

namespace Pbx.Telephony.Tests.Conferences;

/// <summary>A conference store in memory; only the scheduled-conference part is real, as the scheduler uses only that.</summary>
internal sealed class InMemoryConferenceStore : IConferenceStore
{
    private readonly ConcurrentDictionary<long, ScheduledConference> _conferences = new();
    private readonly ConcurrentDictionary<long, DateTimeOffset> _lastLaunched = new();
    private long _nextId;

    public event Action? Changed;

    /// <summary>Set to make every read of the conference list fail, as a locked or broken database would.</summary>
    public bool FailListing { get; set; }

    public async Task<ScheduledConference> AddScheduledAsync(ScheduledConference conference, CancellationToken cancellation)
    {
        await Task.Yield();
        var stored = conference with { Id = Interlocked.Increment(ref _nextId) };
        _conferences[stored.Id] = stored;
        Changed?.Invoke();
        return stored;
    }

    public Task<IReadOnlyList<ScheduledConference>> ListScheduledAsync(CancellationToken cancellation) =>
        FailListing ? Task.FromException<IReadOnlyList<ScheduledConference>>(new IOException("database is locked"))
            : Task.FromResult<IReadOnlyList<ScheduledConference>>([.. _conferences.Values.OrderBy(c => c.Id)]);

    public Task<ScheduledConference?> GetScheduledAsync(long id, CancellationToken cancellation) => Task.FromResult(_conferences.GetValueOrDefault(id));

    public Task<bool> UpdateScheduledAsync(ScheduledConference conference, CancellationToken cancellation) => throw new NotSupportedException();

    public Task<bool> DeleteScheduledAsync(long id, CancellationToken cancellation)
    {
        var removed = _conferences.TryRemove(id, out _);
        if (removed) Changed?.Invoke();
        return Task.FromResult(removed);
    }

    public Task<DateTimeOffset?> GetLastLaunchedAsync(long id, CancellationToken cancellation) =>
        Task.FromResult(_lastLaunched.TryGetValue(id, out var at) ? at : (DateTimeOffset?)null);

    public Task SetLastLaunchedAsync(long id, DateTimeOffset occurrenceStart, CancellationToken cancellation)
    {
        _lastLaunched[id] = occurrenceStart;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ConferenceRoomDefinition>> ListRoomsAsync(CancellationToken cancellation) => throw new NotSupportedException();
    public Task<ConferenceRoomDefinition?> GetRoomAsync(string number, CancellationToken cancellation) => throw new NotSupportedException();
    public Task SaveRoomAsync(ConferenceRoomDefinition room, CancellationToken cancellation) => throw new NotSupportedException();
    public Task<bool> DeleteRoomAsync(string number, CancellationToken cancellation) => throw new NotSupportedException();
    public Task RecordFinishedAsync(FinishedConference finished, CancellationToken cancellation) => throw new NotSupportedException();
    public Task<IReadOnlyList<FinishedConference>> ListFinishedAsync(int limit, CancellationToken cancellation) => throw new NotSupportedException();
}

/// <summary>Remembers every launch with the virtual time it happened at; can be told to throw on some.</summary>
internal sealed class RecordingLauncher(TimeProvider time) : IConferenceLauncher
{
    private readonly ConcurrentQueue<Launch> _launches = new();

    public sealed record Launch(long ConferenceId, DateTimeOffset OccurrenceStart, DateTimeOffset LaunchedAt);

    public IReadOnlyList<Launch> Launches => [.. _launches];

    /// <summary>How many of the coming launches throw (after being recorded).</summary>
    public int FailuresToCome { get; set; }

    void IConferenceLauncher.Launch(ScheduledConference conference, DateTimeOffset occurrenceStart)
    {
        _launches.Enqueue(new Launch(conference.Id, occurrenceStart, time.GetUtcNow()));
        if (FailuresToCome > 0)
        {
            FailuresToCome--;
            throw new InvalidOperationException("no trunk available");
        }
    }
}

namespace Pbx.Telephony.Conferences;

/// <summary>Where dial-in rooms and scheduled conferences live (SQLite in the host).</summary>
public interface IConferenceStore
{
    /// <summary>Raised after any write, so caches and the scheduler reload.</summary>
    event Action? Changed;

    Task<IReadOnlyList<ConferenceRoomDefinition>> ListRoomsAsync(CancellationToken cancellation);

    Task<ConferenceRoomDefinition?> GetRoomAsync(string number, CancellationToken cancellation);

    /// <summary>Creates or replaces the room with this number.</summary>
    Task SaveRoomAsync(ConferenceRoomDefinition room, CancellationToken cancellation);

    /// <returns>False when there was no such room.</returns>
    Task<bool> DeleteRoomAsync(string number, CancellationToken cancellation);

    Task<IReadOnlyList<ScheduledConference>> ListScheduledAsync(CancellationToken cancellation);

    Task<ScheduledConference?> GetScheduledAsync(long id, CancellationToken cancellation);

    /// <summary>Stores a new conference (Id 0) and returns it with its id.</summary>
    Task<ScheduledConference> AddScheduledAsync(ScheduledConference conference, CancellationToken cancellation);

    /// <returns>False when there was no such conference.</returns>
    Task<bool> UpdateScheduledAsync(ScheduledConference conference, CancellationToken cancellation);

    Task<bool> DeleteScheduledAsync(long id, CancellationToken cancellation);

    /// <summary>The start of the last occurrence the PBX launched, so a restart does not launch it twice.</summary>
    Task<DateTimeOffset?> GetLastLaunchedAsync(long id, CancellationToken cancellation);

    Task SetLastLaunchedAsync(long id, DateTimeOffset occurrenceStart, CancellationToken cancellation);

    Task RecordFinishedAsync(FinishedConference finished, CancellationToken cancellation);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<FinishedConference>> ListFinishedAsync(int limit, CancellationToken cancellation);
}

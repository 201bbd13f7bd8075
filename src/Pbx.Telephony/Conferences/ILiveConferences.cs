namespace Pbx.Telephony.Conferences;

/// <summary>Conferences in progress, as the call layer runs them; what the admin API shows and acts on.</summary>
public interface ILiveConferences
{
    IReadOnlyList<LiveConference> Snapshot();

    /// <param name="moderator">The user acting; null for the administrator. A user must be a moderator of the conference.</param>
    ConferenceActionResult SetMuted(string conferenceKey, string participantId, bool muted, string? moderator);

    ConferenceActionResult Kick(string conferenceKey, string participantId, string? moderator);
}

/// <summary>Rings the participants of a scheduled conference (the call layer implements it).</summary>
public interface IConferenceLauncher
{
    /// <summary>Opens the occurrence starting at <paramref name="occurrenceStart"/> and calls its "PBX calls" participants.</summary>
    void Launch(ScheduledConference conference, DateTimeOffset occurrenceStart);
}

public enum ConferenceKind
{
    DialInRoom,
    Scheduled,
    AdHoc,
}

/// <param name="Key">"room-&lt;number&gt;", "conference-&lt;id&gt;" or "adhoc-&lt;n&gt;".</param>
public sealed record LiveConference(string Key, string Name, ConferenceKind Kind, long? ScheduledId, string? RoomNumber,
    DateTimeOffset StartedAt, IReadOnlyList<LiveParticipant> Participants);

/// <param name="Id">Stable while the participant is in the conference.</param>
/// <param name="Number">The caller's number (extension or external number).</param>
/// <param name="State">"ringing", "entering-pin" or "joined".</param>
public sealed record LiveParticipant(string Id, string Number, string? LoginId, bool IsModerator, bool IsMuted, string State, DateTimeOffset JoinedAt);

public enum ConferenceActionResult
{
    Done,
    NoSuchConference,
    NoSuchParticipant,
    NotAModerator,
}

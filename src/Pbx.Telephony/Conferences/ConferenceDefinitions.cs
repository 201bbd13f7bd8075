namespace Pbx.Telephony.Conferences;

/// <summary>A permanent dial-in room (Call-In-Conference): callers dial <see cref="Number"/> and enter the PIN.</summary>
/// <param name="Pin">Digits only; null or empty lets callers in without a PIN.</param>
/// <param name="MaxParticipants">0 uses the system limit.</param>
public sealed record ConferenceRoomDefinition(string Number, string Name, string? Pin, int MaxParticipants);

public enum ConferenceRepetition
{
    Once,
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// One person invited to a scheduled conference: a PBX user (<see cref="LoginId"/>) or an outside number
/// (<see cref="Number"/>), exactly one of the two.
/// </summary>
/// <param name="IsModerator">May mute and kick others.</param>
/// <param name="PbxCalls">The PBX rings this participant at the start time; otherwise they dial in with the PIN.</param>
public sealed record ConferenceInvitee(string? LoginId, string? Number, bool IsModerator, bool PbxCalls);

/// <summary>
/// A scheduled, moderated conference. <see cref="Start"/> is the first occurrence; repetitions keep its local time of
/// day (UTC offset as given) and, for monthly ones, its day of the month (clamped to shorter months).
/// </summary>
/// <param name="Id">0 for one not stored yet.</param>
/// <param name="Pin">Dial-in PIN for participants the PBX does not call (digits).</param>
/// <param name="Duration">How long each occurrence lasts; the PBX ends it then.</param>
public sealed record ScheduledConference(
    long Id,
    string Name,
    DateTimeOffset Start,
    ConferenceRepetition Repetition,
    TimeSpan Duration,
    string Pin,
    IReadOnlyList<ConferenceInvitee> Participants);

/// <summary>An occurrence that took place (the "finished" list).</summary>
public sealed record FinishedConference(long ConferenceId, string Name, DateTimeOffset StartedAt, DateTimeOffset EndedAt, int ParticipantCount);

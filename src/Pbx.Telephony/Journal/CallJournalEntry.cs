namespace Pbx.Telephony.Journal;

public enum CallDirection { Incoming, Outgoing }

public enum CallResult { Answered, Missed, Busy, Rejected, Failed, Redirected }

/// <summary>One party's view of a finished call: each call writes one row per PBX user involved.</summary>
public sealed record CallJournalEntry(
    long Id,
    string UserLoginId,
    string CallId,
    CallDirection Direction,
    string LocalNumber,
    string RemoteNumber,
    string? RemoteName,
    DateTimeOffset StartedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset EndedAt,
    CallResult Result,
    string? Cause);

public sealed record CallJournalQuery(
    string? UserLoginId = null,
    CallDirection? Direction = null,
    CallResult? Result = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100);

public interface ICallJournal
{
    /// <summary>Durable once the task completes: a crash afterwards does not lose the rows.</summary>
    Task AppendAsync(IReadOnlyList<CallJournalEntry> entries, CancellationToken ct = default);
    Task<IReadOnlyList<CallJournalEntry>> QueryAsync(CallJournalQuery query, CancellationToken ct = default);
}

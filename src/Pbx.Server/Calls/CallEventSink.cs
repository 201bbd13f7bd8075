using Pbx.Calls;
using Pbx.Telephony.Journal;

namespace Pbx.Server.Calls;

/// <summary>Sends what calls report to the journal (durably) and to whoever follows activity (presence, BLF).</summary>
internal sealed partial class CallEventSink(ICallJournal journal, ILogger<CallEventSink> logger) : ICallEvents
{
    /// <summary>Raised after a user's call activity changed; handlers must not throw or block.</summary>
    public event Action<string, PartyActivity>? ActivityChangedEvent;

    public void ActivityChanged(string loginId, PartyActivity activity) => ActivityChangedEvent?.Invoke(loginId, activity);

    public void CallFinished(IReadOnlyList<CallJournalEntry> entries) => _ = AppendAsync(entries);

    private async Task AppendAsync(IReadOnlyList<CallJournalEntry> entries)
    {
        try
        {
            await journal.AppendAsync(entries);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            JournalWriteFailed(logger, entries.Count > 0 ? entries[0].CallId : "?", ex.Message);
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Error, Message = "Call journal rows of {CallId} could not be written: {Reason}")]
    private static partial void JournalWriteFailed(ILogger logger, string callId, string reason);
}

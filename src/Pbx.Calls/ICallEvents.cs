using Pbx.Telephony.Journal;

namespace Pbx.Calls;

/// <summary>What a user's phones are doing because of calls, as the call layer sees it.</summary>
public enum PartyActivity
{
    Idle,
    Ringing,
    OnThePhone,
}

/// <summary>
/// What calls report to the rest of the PBX: activity changes (presence, BLF) and finished calls (journal).
/// Called from call processing: implementations return quickly and never throw.
/// </summary>
public interface ICallEvents
{
    void ActivityChanged(string loginId, PartyActivity activity);

    /// <summary>One row per PBX user involved; the call is over.</summary>
    void CallFinished(IReadOnlyList<CallJournalEntry> entries);
}

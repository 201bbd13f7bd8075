using Microsoft.Extensions.Logging;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Journal;

namespace Pbx.Calls.Sip;

internal sealed partial class SipCall
{
    private readonly DateTimeOffset _startedAt;
    private DateTimeOffset? _answeredAt;
    private string? _calleeLogin;
    private CallResult _callerResult = CallResult.Missed;
    // A call that only carried a device into another call (pull) leaves no journal rows of its own.
    private bool _quiet;

    /// <summary>For the admin's list of calls; read from another thread, so it only copies fields.</summary>
    public ActiveCall? Describe()
    {
        var phase = _phase;
        if (phase == CallPhase.Finished) return null;
        var parties = _sides.Select(side => side?.LoginId).Where(login => login is not null).Select(login => login!).ToList();
        return new ActiveCall(Id, phase.ToString(), _caller.Number, _called, parties, _startedAt, _answeredAt, _media?.IsOnHold ?? false);
    }

    /// <summary>Releases everything the call holds and writes its journal rows; runs once, on the queue.</summary>
    private void Finish(string cause, bool answered)
    {
        if (_phase == CallPhase.Finished) return;
        _phase = CallPhase.Finished;
        _maxDuration?.Dispose();
        _mediaCheck?.Dispose();
        _sessionTimer?.Dispose();
        ReleaseServedSides();
        foreach (var side in _sides)
        {
            if (side is null) continue;
            side.Dialog.Unacknowledged?.Dispose();
            // A side that moved into another call by a transfer lives on there.
            if (side.DialogOwner is OutboundFork { CurrentCall: var current } && current != this) continue;
            B2bua.Dialogs.Terminate(side.Dialog.Dialog);
        }
        foreach (var login in _adoptedLogins) B2bua.Activity.Change(login, 0, -1);
        _adoptedLogins.Clear();
        foreach (var leg in _legs)
        {
            if (leg != _bridged) leg.CancelNow();
            leg.Release();
        }
        if (_callerActive) B2bua.Activity.Change(_callerLogin, 0, -1);
        _callerActive = false;
        _routingStop.Cancel();
        var media = _media;
        _media = null;
        if (media is not null) _ = media.DisposeAsync().AsTask();
        Ended(B2bua.Log, Id, cause);
        if (!_quiet) _ = WriteJournalAsync(cause, answered);
        B2bua.Forget(this);
        _invite?.Dispose();
    }

    private async Task WriteJournalAsync(string cause, bool answered)
    {
        try
        {
            var endedAt = B2bua.Time.GetUtcNow();
            if (_invitedSeat is { } seat)
            {
                // The PBX rang a user for a conference: for that user it is a call from the conference.
                if (seat.LoginId is { } invitee)
                    B2bua.Events.CallFinished([new(0, invitee, Id, CallDirection.Incoming, seat.Number, Conferences.AccessNumber, seat.Room.Name,
                        _startedAt, _answeredAt, endedAt, answered ? CallResult.Answered : _callerResult, cause)]);
                return;
            }
            var rung = _legs.Where(l => l.LoginId is not null && l.Secondary is null).Select(l => l.LoginId!)
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            // A callback rings the user first, but for the user it is an outgoing call, journaled once.
            if (_inviteTx is null) rung.RemoveAll(login => string.Equals(login, _callerLogin, StringComparison.OrdinalIgnoreCase));
            // The dialled number's owner sees the call even when routing sent it elsewhere without ringing them
            // (always redirection, DND): as redirected when someone answered, else as missed.
            string? redirectedFrom = null;
            if (await B2bua.Directory.FindUserOfNumberAsync(_called, CancellationToken.None) is { } owner
                && !rung.Contains(owner, StringComparer.OrdinalIgnoreCase))
            {
                rung.Insert(0, owner);
                if (answered && _calleeLogin is not null) redirectedFrom = owner;
            }
            var calleeName = _calleeLogin is null ? null : (await B2bua.Directory.GetIdentityAsync(_calleeLogin, CancellationToken.None))?.DisplayName;
            var callerResult = answered ? CallResult.Answered : _callerResult;
            var busy = callerResult == CallResult.Busy;
            var entries = new List<CallJournalEntry>();
            // A provider calling in has no journal of its own; only the callees' rows are written.
            if (_fromTrunk is null)
                entries.Add(new(0, _callerLogin, Id, CallDirection.Outgoing, _caller.Number, _called, calleeName, _startedAt, _answeredAt, endedAt, callerResult, cause));
            foreach (var login in rung)
            {
                bool answeredHere = answered && string.Equals(login, _calleeLogin, StringComparison.OrdinalIgnoreCase);
                var result = answeredHere ? CallResult.Answered
                    : login == redirectedFrom ? CallResult.Redirected
                    : busy && !answered ? CallResult.Busy : CallResult.Missed;
                entries.Add(new(0, login, Id, CallDirection.Incoming, _called, _caller.Number, _caller.DisplayName, _startedAt,
                    answeredHere ? _answeredAt : null, endedAt, result, answeredHere || !answered ? cause : result == CallResult.Redirected ? $"redirected to {_calleeLogin}" : $"answered by {_calleeLogin}"));
            }
            // Transfer targets, recalls and callback destinations: one row each, as the call they were offered.
            foreach (var leg in _legs.Where(l => l.Secondary is { Purpose: not "move" } && l.LoginId is not null))
            {
                var offered = leg.Secondary!;
                var taken = leg.AnsweredAt is not null;
                entries.Add(new(0, leg.LoginId!, Id, CallDirection.Incoming, offered.Dialled, offered.From.Number, offered.From.DisplayName,
                    leg.StartedAt, leg.AnsweredAt, endedAt, taken ? CallResult.Answered : CallResult.Missed,
                    taken ? cause : $"{offered.Purpose} not answered"));
            }
            B2bua.Events.CallFinished(entries);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            JournalFailed(B2bua.Log, Id, ex);
        }
    }

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Call {CallId} ended: {Cause}")]
    private static partial void Ended(ILogger logger, string callId, string cause);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Call {CallId}: journal rows could not be built")]
    private static partial void JournalFailed(ILogger logger, string callId, Exception exception);
}

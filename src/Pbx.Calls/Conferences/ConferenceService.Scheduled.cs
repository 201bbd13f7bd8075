using Microsoft.Extensions.Logging;
using Pbx.Calls.Sip;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Conferences;

namespace Pbx.Calls.Conferences;

/// <summary>Scheduled conferences: opened at their start (by the scheduler), invitees rung, ended at their end.</summary>
public sealed partial class ConferenceService
{
    private static readonly TimeSpan EndingWarning = TimeSpan.FromMinutes(1);

    public void Launch(ScheduledConference conference, DateTimeOffset occurrenceStart)
    {
        var key = "conference-" + conference.Id;
        var end = occurrenceStart + conference.Duration;
        LiveRoom room;
        lock (_gate)
        {
            if (_live.TryGetValue(key, out var running) && !running.IsClosed) return;
            room = new LiveRoom(key, conference.Name, ConferenceKind.Scheduled,
                Mixer.CreateRoom(key, Math.Max(conference.Participants.Count + 10, 20)), Time.GetUtcNow())
            {
                ScheduledId = conference.Id,
                Pin = conference.Pin,
                KeepOpenWhenEmpty = true,
                ModeratorLogins = conference.Participants.Where(p => p.IsModerator && p.LoginId is not null)
                    .Select(p => p.LoginId!).ToHashSet(StringComparer.OrdinalIgnoreCase),
            };
            _live[key] = room;
        }
        ConferenceOpened(Log, key, conference.Name);
        var untilEnd = end - Time.GetUtcNow();
        room.Timers.Add(Time.CreateTimer(_ => CloseRoom(room, "its scheduled end"), null, untilEnd > TimeSpan.Zero ? untilEnd : TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        if (untilEnd > EndingWarning)
            room.Timers.Add(Time.CreateTimer(_ => WarnEnding(room), null, untilEnd - EndingWarning, Timeout.InfiniteTimeSpan));
        foreach (var invitee in conference.Participants.Where(p => p.PbxCalls))
        {
            if (TargetOf(invitee) is { } target) SipCall.StartConferenceInvitation(_b2bua, room, invitee, target);
            else InviteeUnreachable(Log, key, invitee.Number ?? "?");
        }
    }

    private CallTarget? TargetOf(ConferenceInvitee invitee)
    {
        if (invitee.LoginId is { } login) return new CallTarget.AllDevicesOf(login);
        // Outside numbers go out through a trunk, normalised as the dial plan says.
        return invitee.Number is { } number && _b2bua.Trunks?.Route(number) is { } route ? new CallTarget.ExternalNumber(route.E164) : null;
    }

    private static void WarnEnding(LiveRoom room)
    {
        foreach (var seat in room.Seats) seat.Call.PlayConferencePrompt(seat.Side, "conference-ending");
    }

    private async Task RecordFinishedAsync(LiveRoom room)
    {
        try
        {
            await _store.RecordFinishedAsync(new FinishedConference(room.ScheduledId!.Value, room.Name, room.StartedAt, Time.GetUtcNow(), room.EverSeated),
                CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            HistoryFailed(Log, room.Key, ex);
        }
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Conference {Key}: {Number} cannot be called (no trunk routes it)")]
    private static partial void InviteeUnreachable(ILogger logger, string key, string number);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Conference {Key}: the finished occurrence could not be recorded")]
    private static partial void HistoryFailed(ILogger logger, string key, Exception exception);
}

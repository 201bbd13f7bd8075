using Microsoft.Extensions.Logging;
using Pbx.Calls.Conferences;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Conferences;
using Pbx.Telephony.Journal;

namespace Pbx.Calls.Sip;

/// <summary>
/// Calls that become conference participants without dialling in: an invitee the PBX rings at a scheduled
/// conference's start, and the parties of two calls a user joins into a three-way conference.
/// </summary>
internal sealed partial class SipCall
{
    private ConferenceSeat? _invitedSeat;

    /// <summary>Rings <paramref name="target"/> for <paramref name="room"/>; once answered, the party is seated.</summary>
    public static SipCall StartConferenceInvitation(B2buaService b2bua, LiveRoom room, ConferenceInvitee invitee, CallTarget target)
    {
        var call = new SipCall(b2bua, invitee.LoginId ?? invitee.Number ?? "", $"conference-{Pbx.Sip.Messages.SipIds.NewCallId()}")
        {
            _called = room.Name,
        };
        b2bua.Track(call);
        _ = call.PrepareInvitationAsync(room, invitee, target);
        return call;
    }

    /// <summary>A user is shown in the conference with its extension and hears prompts in its language.</summary>
    private async Task PrepareInvitationAsync(LiveRoom room, ConferenceInvitee invitee, CallTarget target)
    {
        string number = invitee.Number ?? invitee.LoginId ?? "";
        string? language = null;
        if (invitee.LoginId is { } login)
        {
            try
            {
                number = (await B2bua.Directory.GetIdentityAsync(login, CancellationToken.None))?.Number ?? number;
                language = await B2bua.Directory.GetLanguageAsync(login, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RoutingFailed(B2bua.Log, Id, ex);
            }
        }
        Queue.Post(() =>
        {
            _languages[(int)RelayLeg.A] = language;
            BeginInvitation(room, invitee, target, number);
        });
    }

    private void BeginInvitation(LiveRoom room, ConferenceInvitee invitee, CallTarget target, string number)
    {
        _quiet = invitee.LoginId is null;
        _invitedSeat = room.Reserve(this, RelayLeg.A, number, invitee.LoginId, invitee.IsModerator, "ringing", B2bua.Time.GetUtcNow());
        _media = Media.CallMedia.TryCreate(B2bua.Relays, Id, B2bua.MediaAddress, B2bua.Codecs, B2bua.Ticker, B2bua.MusicOnHold, out var noPorts);
        if (_invitedSeat is null || _media is null)
        {
            _callerResult = CallResult.Failed;
            Finish(_media is null ? $"conference invitation: {noPorts ?? "no media ports"}" : "the conference is closed", answered: false);
            return;
        }
        _media.Relay.DigitReceived += (side, digit) => Queue.Post(() => OnRelayDigit(side, digit));
        var offer = _media.OfferFirst(RelayLeg.A);
        _ = RingInviteeAsync(target, offer, new CallerIdentity(Conferences.AccessNumber.Length > 0 ? Conferences.AccessNumber : "conference", room.Name));
    }

    private async Task RingInviteeAsync(CallTarget target, SessionDescription offer, CallerIdentity shown)
    {
        var (leg, outcome) = await RingAloneAsync(target, shown, offer);
        Queue.Post(() => OnInviteeDecided(leg, offer, outcome));
    }

    private void OnInviteeDecided(SipOutboundLeg? leg, SessionDescription offer, LegOutcome outcome)
    {
        var seat = _invitedSeat!;
        if (_phase != CallPhase.Routing || seat.Room.IsClosed || outcome is not LegOutcome.Answered
            || leg?.Answered is not { AnswerSdp: { } sdp, Dialog: { } dialog } fork || !_media!.CompleteFirst(RelayLeg.A, offer, sdp))
        {
            if (outcome is LegOutcome.Answered) leg?.HangUp();
            Conferences.Leave(seat);
            _callerResult = CallResult.Missed;
            Finish("conference invitation not answered", answered: false);
            return;
        }
        _sides[(int)RelayLeg.A] = new CallSide(dialog, fork, seat.LoginId);
        _phase = CallPhase.Connected;
        _answeredAt = B2bua.Time.GetUtcNow();
        StartTimers();
        if (ServeSide(RelayLeg.A)) EnterRoom(RelayLeg.A, seat.Room, seat.Number, seat.IsModerator, seat);
    }

    /// <summary>
    /// Three-way conference: this call's parties go into <paramref name="room"/>, except <paramref name="initiator"/>
    /// when <paramref name="dropInitiator"/> (its held call, replaced by its side of the other call).
    /// </summary>
    public void JoinThreeWay(LiveRoom room, string initiator, bool dropInitiator) => Queue.Post(() =>
    {
        if (_phase != CallPhase.Connected || IsServedLocally(RelayLeg.A) || IsServedLocally(RelayLeg.B) || _transfer is not null) return;
        foreach (var leg in (RelayLeg[])[RelayLeg.A, RelayLeg.B])
        {
            if (_sides[(int)leg] is not { } side) continue;
            var isInitiator = string.Equals(side.LoginId, initiator, StringComparison.OrdinalIgnoreCase);
            if (isInitiator && dropInitiator)
            {
                DetachSide(leg);
                HangUpDetached(side);
                continue;
            }
            if (!ServeSide(leg)) return;
            EnterRoom(leg, room, leg == RelayLeg.A ? _caller.Number : _called, moderator: isInitiator);
        }
        if (_sides[0] is null && _sides[1] is null) Finish("joined into a three-way conference", answered: true);
    });

    private char _lastFeatureDigit;
    private long _lastFeatureDigitAt;

    /// <summary>The three-way code (e.g. *3) keyed in a connected call by a user who has a second call.</summary>
    private void WatchFeatureCode(RelayLeg from, char digit)
    {
        var code = B2bua.Options.ThreeWayCode;
        var now = B2bua.Time.GetTimestamp();
        var recent = B2bua.Time.GetElapsedTime(_lastFeatureDigitAt, now) < TimeSpan.FromSeconds(3);
        var previous = _lastFeatureDigit;
        _lastFeatureDigit = digit;
        _lastFeatureDigitAt = now;
        if (code.Length != 2 || !recent || previous != code[0] || digit != code[1] || LoginOf(from) is not { } login) return;
        if (IsServedLocally(RelayLeg.A) || IsServedLocally(RelayLeg.B)) return;
        var result = B2bua.StartThreeWay(login, Id);
        ThreeWayRequested(B2bua.Log, Id, login, result.ToString());
    }

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "Call {CallId}: {User} asked for a three-way conference: {Result}")]
    private static partial void ThreeWayRequested(ILogger logger, string callId, string user, string result);
}

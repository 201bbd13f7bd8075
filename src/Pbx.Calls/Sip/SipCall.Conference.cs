using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Conferences;
using Pbx.Media.Mixing;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;

namespace Pbx.Calls.Sip;

/// <summary>
/// Sides of this call that talk to the PBX itself instead of to each other: a caller entering a conference PIN, and
/// conference participants. Such a side keeps its dialog and relay ports; a <see cref="RelayLegAudioPort"/> on those
/// ports hands its audio to the mixer. A BYE from one side then only takes that side out; the call ends with its
/// last side.
/// </summary>
internal sealed partial class SipCall
{
    private const int MaxPinAttempts = 3;
    private const int MaxPinDigits = 12;
    private readonly RelayLegAudioPort?[] _ports = new RelayLegAudioPort?[2];
    private readonly ConferenceSeat?[] _seats = new ConferenceSeat?[2];
    private DialIn? _dialIn;
    private StringBuilder? _pin;
    private ITimer? _pinTimer;
    private int _pinAttempts;
    // The prompt language of each side's user (null: the system language).
    private readonly string?[] _languages = new string?[2];

    private Pbx.Media.Endpoint.IAudioSource Prompt(RelayLeg listener, string id) => B2bua.Prompts.Play(id, _languages[(int)listener]);

    private ConferenceService Conferences => B2bua.Conferences ?? throw new InvalidOperationException("Conferences are not configured.");

    private bool IsServedLocally(RelayLeg side) => _ports[(int)side] is not null;

    private async Task StartDialInAsync(SessionDescription offer, DialIn dialIn)
    {
        // The other participants see the caller's desk number.
        var identity = await B2bua.Directory.GetIdentityAsync(_callerLogin, CancellationToken.None);
        var language = await B2bua.Directory.GetLanguageAsync(_callerLogin, CancellationToken.None);
        Queue.Post(() =>
        {
            if (identity is not null) _caller = identity;
            _languages[(int)RelayLeg.A] = language;
            if (_phase == CallPhase.Routing && !_callerCancelled) BeginDialIn(offer, dialIn);
        });
    }

    /// <summary>A caller dialled a conference number: the PBX answers, asks for the PIN when there is one, then seats it.</summary>
    private void BeginDialIn(SessionDescription offer, DialIn dialIn)
    {
        if (!AnswerCallerOurselves(offer)) return;
        _dialIn = dialIn;
        if (!ServeSide(RelayLeg.A)) return;
        if (dialIn.Room is { Pin: null or "" } open)
        {
            EnterRoom(RelayLeg.A, Conferences.OpenDialInRoom(open), _caller.Number, moderator: false);
            return;
        }
        _pin = new StringBuilder();
        AskForPin("enter-conference-pin");
    }

    /// <summary>Hands <paramref name="side"/>'s media to the PBX; ends the call when its codec cannot be served.</summary>
    private bool ServeSide(RelayLeg side)
    {
        if (_ports[(int)side] is not null) return true;
        if (_media?.ServeLocally(side) is not { } port)
        {
            End("the phone's codec cannot be mixed here", byeFrom: null);
            return false;
        }
        _ports[(int)side] = port;
        port.InBandDigit += digit => Queue.Post(() => OnRelayDigit(side, digit));
        return true;
    }

    private void AskForPin(string prompt)
    {
        _ports[(int)RelayLeg.A]?.Play(Prompt(RelayLeg.A, prompt));
        _pinTimer?.Dispose();
        // Time to listen to the prompt and key in the PIN.
        _pinTimer = B2bua.Time.CreateTimer(static s => ((SipCall)s!).Queue.Post(((SipCall)s!).OnPinTimeout), this,
            B2bua.Options.DigitCollection + TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
    }

    /// <summary>A digit from a side the PBX serves; true when it was taken (PIN entry).</summary>
    private bool TryServedDigit(RelayLeg side, char digit)
    {
        if (_pin is null || side != RelayLeg.A) return false;
        // The caller knows the PIN and need not hear the rest of the prompt.
        _ports[(int)side]?.Play(null);
        if (digit == '#') CheckPin();
        else if (_pin.Length < MaxPinDigits) _pin.Append(digit);
        _pinTimer?.Change(B2bua.Options.DigitCollection, Timeout.InfiniteTimeSpan);
        return true;
    }

    private void OnPinTimeout()
    {
        if (_pin is null) return;
        if (_pin.Length > 0) CheckPin();
        else WrongPin();
    }

    private void CheckPin()
    {
        var entered = _pin!.ToString();
        _pin.Clear();
        var room = _dialIn?.Room is { } definition
            ? definition.Pin == entered ? Conferences.OpenDialInRoom(definition) : null
            : Conferences.FindScheduledByPin(entered);
        if (room is null)
        {
            WrongPin();
            return;
        }
        _pin = null;
        _pinTimer?.Dispose();
        EnterRoom(RelayLeg.A, room, _caller.Number, moderator: false);
    }

    private void WrongPin()
    {
        if (++_pinAttempts >= MaxPinAttempts)
        {
            _pin = null;
            _pinTimer?.Dispose();
            End($"conference PIN wrong {MaxPinAttempts} times", byeFrom: null);
            return;
        }
        AskForPin("wrong-pin");
    }

    /// <summary>Seats a served side in <paramref name="room"/>; a side that finds it full or closed is hung up.</summary>
    private void EnterRoom(RelayLeg side, LiveRoom room, string number, bool moderator, ConferenceSeat? reserved = null)
    {
        var seat = reserved ?? room.Reserve(this, side, number, _sides[(int)side]?.LoginId, moderator, "joining", B2bua.Time.GetUtcNow());
        if (seat is null || _ports[(int)side] is not { } port)
        {
            LeaveSide(side, "the conference is closed", byeReceived: false);
            return;
        }
        _seats[(int)side] = seat;
        var result = room.Seat(seat, port, out var first);
        if (result != ConferenceJoinResult.Joined)
        {
            LeaveSide(side, result == ConferenceJoinResult.RoomFull ? "the conference is full" : "the conference is closed", byeReceived: false);
            return;
        }
        if (first) port.Play(Prompt(side, "first-participant"));
        JoinedConference(B2bua.Log, Id, side.ToString(), seat.Id, room.Key);
    }

    /// <summary>Takes <paramref name="side"/> out of its conference (kick, conference end) and hangs it up.</summary>
    public void LeaveConference(RelayLeg side, string cause) => Queue.Post(() => LeaveSide(side, cause, byeReceived: false));

    /// <summary>Plays a short prompt to one conference participant over the mix (muted, unmuted, ending).</summary>
    public void PlayConferencePrompt(RelayLeg side, string prompt) => Queue.Post(() => _ports[(int)side]?.Play(Prompt(side, prompt)));

    private void LeaveSide(RelayLeg side, string cause, bool byeReceived)
    {
        if (_phase != CallPhase.Connected || _sides[(int)side] is not { } leaving) return;
        ReleaseServedSide(side);
        DetachSide(side);
        if (byeReceived) B2bua.Dialogs.Terminate(leaving.Dialog.Dialog);
        else HangUpDetached(leaving);
        LeftConference(B2bua.Log, Id, side.ToString(), cause);
        if (_sides[0] is null && _sides[1] is null) Finish(cause, answered: true);
    }

    private void ReleaseServedSide(RelayLeg side)
    {
        if (_seats[(int)side] is { } seat)
        {
            _seats[(int)side] = null;
            Conferences.Leave(seat);
        }
        _ports[(int)side]?.Dispose();
        _ports[(int)side] = null;
    }

    /// <summary>Requests on a side the PBX serves; false leaves the request to the ordinary handling (OPTIONS).</summary>
    private bool HandleServedInDialog(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        switch (request.Method)
        {
            case SipMethod.Bye:
                transaction.SendResponse(200, "OK");
                LeaveSide(from, from == RelayLeg.A ? "caller hung up" : "callee hung up", byeReceived: true);
                return true;
            case SipMethod.Refer:
                transaction.SendResponse(403, "Forbidden - Not Possible In A Conference");
                return true;
            case SipMethod.Invite or SipMethod.Update:
                OnSessionRefreshed(from);
                AnswerServedOffer(from, transaction, request);
                return true;
            case SipMethod.Info:
                transaction.SendResponse(200, "OK");
                if (ReadInfoDigit(request) is { } digit) OnRelayDigit(from, digit);
                return true;
            default:
                return false;
        }
    }

    private void AnswerServedOffer(RelayLeg from, ServerTransaction transaction, SipMessage request)
    {
        var offer = OutboundFork.ReadSdp(request);
        if (offer is null)
        {
            if (request.Method == SipMethod.Update && request.Body.IsEmpty) transaction.SendResponse(200, "OK");
            else transaction.SendResponse(488, "Not Acceptable Here - SDP Offer Required");
            return;
        }
        if (_media!.AnswerServedPhone(from, offer) is not { } answer)
        {
            transaction.SendResponse(488, "Not Acceptable Here - Codec Change Not Possible In A Conference");
            return;
        }
        AnswerInDialog(from, transaction, request, answer, () => LeaveSide(from, "re-INVITE answer never acknowledged", byeReceived: false));
    }

    /// <summary>Finish: every served side lets go of its seat and port.</summary>
    private void ReleaseServedSides()
    {
        _pinTimer?.Dispose();
        ReleaseServedSide(RelayLeg.A);
        ReleaseServedSide(RelayLeg.B);
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Call {CallId}: leg {Leg} joined conference {Conference} as {Seat}")]
    private static partial void JoinedConference(ILogger logger, string callId, string leg, string seat, string conference);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Call {CallId}: leg {Leg} left its conference: {Cause}")]
    private static partial void LeftConference(ILogger logger, string callId, string leg, string cause);
}

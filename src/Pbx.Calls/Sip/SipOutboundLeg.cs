using Pbx.Media.Sdp;
using Pbx.Telephony.Calls;

namespace Pbx.Calls.Sip;

/// <summary>
/// An outbound leg of a call to a user's registrations: one <see cref="OutboundFork"/> per binding, rung in parallel.
/// Its outcome is the first answer, or, when every fork failed, the failure that tells routing the most
/// (busy over unavailable over anything else). Runs on its call's serial queue.
/// </summary>
internal sealed partial class SipOutboundLeg : IOutboundLeg
{
    private readonly TaskCompletionSource<LegOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<OutboundFork> _forks = [];
    private bool _decided;
    private bool _ringing;
    private bool _connected;

    private readonly bool _ringCallerDevice;
    private OutboundFork? _confirming;
    private ITimer? _confirmTimer;

    private readonly Pbx.Sip.Transports.SipFlow? _skipDevice;

    /// <param name="ringCallerDevice">Transfers may ring the phone the call came from; a new call never rings its own caller.</param>
    /// <param name="skipDevice">A device not to ring (a call move does not ring the phone the call is moving away from).</param>
    public SipOutboundLeg(SipCall call, LegRequest request, string offer, bool ringCallerDevice = false, Pbx.Sip.Transports.SipFlow? skipDevice = null)
    {
        _ringCallerDevice = ringCallerDevice;
        _skipDevice = skipDevice;
        StartedAt = call.B2bua.Time.GetUtcNow();
        Call = call;
        Request = request;
        LoginId = request.Target switch
        {
            CallTarget.AllDevicesOf all => all.LoginId,
            CallTarget.DevicesOfKind kind => kind.LoginId,
            _ => null,
        };
        call.Queue.Post(() => Begin(offer));
    }

    public SipCall Call { get; }

    /// <summary>
    /// Set for legs a connected call starts later (transfer target, recall, callback destination, call move): they
    /// are journaled on their own, not as ring branches of the original call.
    /// </summary>
    public SecondaryLeg? Secondary { get; init; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.MinValue;

    /// <summary>When this leg's answer was accepted (after a keypress confirmation where one was required).</summary>
    public DateTimeOffset? AnsweredAt { get; private set; }

    public LegRequest Request { get; }

    /// <summary>The PBX user this leg rings, null for external and server targets.</summary>
    public string? LoginId { get; }

    public Task<LegOutcome> Outcome => _outcome.Task;

    public OutboundFork? Answered { get; private set; }

    public void Cancel() => Call.Queue.Post(CancelNow);

    /// <summary>Cancel, when already on the call's queue (the call is finishing and must not leave a phone ringing).</summary>
    public void CancelNow()
    {
        if (_decided) return;
        if (_confirming is not null)
        {
            _confirmTimer?.Dispose();
            Call.EndConfirmation(this);
        }
        foreach (var fork in _forks) fork.Cancel();
        Decide(new LegOutcome.NotAnswered(LegFailure.Cancelled));
    }

    private void Begin(string offer)
    {
        if (_decided) return;
        if (LoginId is null)
        {
            if (Request.Target is CallTarget.ExternalNumber external && Call.B2bua.Trunks is { } trunks)
            {
                _ = BeginTrunkAsync(trunks, external.E164, offer);
                return;
            }
            // Server media legs are not built yet, and without trunks no number outside is reachable.
            Decide(new LegOutcome.NotAnswered(LegFailure.Unavailable, 480));
            return;
        }
        var bindings = Call.B2bua.Bindings.Lookup(LoginId.ToLowerInvariant(), Call.B2bua.Time.GetUtcNow());
        foreach (var binding in bindings)
        {
            // The phone placing the call is not rung for it.
            if (!_ringCallerDevice && binding.Flow == Call.CallerFlow) continue;
            if (!IsOfRequestedKind(binding) || binding.Flow == _skipDevice) continue;
            var fork = new OutboundFork(this, ForkTarget.Of(binding, Call.B2bua.Endpoints.Host));
            _forks.Add(fork);
            fork.Send(offer);
        }
        if (_forks.Count == 0 || _forks.All(f => f.State == ForkState.Failed))
            Decide(new LegOutcome.NotAnswered(LegFailure.Unavailable, 480));
    }

    /// <summary>
    /// A target of one device kind rings only matching registrations: the mobile client is the one that registered
    /// with +sip.mobility="mobile" (RFC 3840), desk phones and softphones are the others.
    /// </summary>
    private bool IsOfRequestedKind(Pbx.Sip.Registrar.Binding binding) => Request.Target switch
    {
        CallTarget.DevicesOfKind { Kind: Pbx.Telephony.Accounts.DeviceKind.MobileClient } => binding.IsMobile,
        CallTarget.DevicesOfKind { Kind: Pbx.Telephony.Accounts.DeviceKind.DeskPhone or Pbx.Telephony.Accounts.DeviceKind.Softphone } => !binding.IsMobile,
        _ => true,
    };

    public void OnForkProvisional(OutboundFork fork, int status, SessionDescription? sdp)
    {
        if (_decided) return;
        if (!_ringing && LoginId is not null)
        {
            _ringing = true;
            Call.B2bua.Activity.Change(LoginId, ringing: +1, connected: 0);
        }
        Call.OnLegProgress(this, fork, status, sdp);
    }

    public void OnForkAnswered(OutboundFork fork)
    {
        if (_decided || Call.IsFinished || _confirming is not null)
        {
            fork.HangUp();
            return;
        }
        if (Request.ConfirmByKeypress)
        {
            BeginConfirmation(fork);
            return;
        }
        Accept(fork);
    }

    /// <summary>
    /// iFMC "confirm by keypress": the answering party hears the prompt and counts as answered only after a digit,
    /// so a mobile mailbox cannot take the call. Other forks stop now; the caller keeps hearing ringback.
    /// </summary>
    private void BeginConfirmation(OutboundFork fork)
    {
        foreach (var other in _forks)
        {
            if (other != fork) other.Cancel();
        }
        if (!Call.BeginConfirmation(this, fork))
        {
            fork.HangUp();
            Decide(new LegOutcome.NotAnswered(LegFailure.Failed));
            return;
        }
        _confirming = fork;
        _confirmTimer = Call.B2bua.Time.CreateTimer(static s => ((SipOutboundLeg)s!).Call.Queue.Post(((SipOutboundLeg)s!).OnConfirmationTimeout),
            this, Call.B2bua.Options.KeypressConfirmation, Timeout.InfiniteTimeSpan);
    }

    public bool IsConfirming(OutboundFork fork) => _confirming == fork && !_decided;

    /// <summary>The confirming party pressed a digit (RFC 4733 through the relay, or SIP INFO).</summary>
    public void OnConfirmDigit()
    {
        if (_confirming is not { } fork || _decided) return;
        _confirmTimer?.Dispose();
        Call.EndConfirmation(this);
        Accept(fork);
    }

    private void OnConfirmationTimeout()
    {
        if (_confirming is not { } fork || _decided) return;
        Call.EndConfirmation(this);
        fork.HangUp();
        Decide(new LegOutcome.NotAnswered(LegFailure.NoAnswer));
    }

    private void Accept(OutboundFork fork)
    {
        Answered = fork;
        AnsweredAt = Call.B2bua.Time.GetUtcNow();
        foreach (var other in _forks)
        {
            if (other != fork) other.Cancel();
        }
        if (LoginId is not null)
        {
            Call.B2bua.Activity.Change(LoginId, ringing: _ringing ? -1 : 0, connected: +1);
            _ringing = false;
            _connected = true;
        }
        Decide(new LegOutcome.Answered());
    }

    public void OnForkFailed(OutboundFork fork)
    {
        if (_decided || _forks.Any(f => f.State is ForkState.Calling or ForkState.Proceeding)) return;
        Decide(new LegOutcome.NotAnswered(Classify(out var status), status));
    }

    /// <summary>Ends an answered leg (BYE) and gives back its activity; called on the call's queue.</summary>
    public void HangUp()
    {
        Answered?.HangUp();
        Release();
    }

    /// <summary>Gives back this leg's share of the callee's activity once, whichever way the call ended.</summary>
    public void Release()
    {
        if (LoginId is not null)
        {
            if (_connected) Call.B2bua.Activity.Change(LoginId, 0, -1);
            if (_ringing) Call.B2bua.Activity.Change(LoginId, -1, 0);
        }
        _connected = _ringing = false;
    }

    private void Decide(LegOutcome outcome)
    {
        _decided = true;
        if (outcome is LegOutcome.NotAnswered && _ringing && LoginId is not null)
        {
            Call.B2bua.Activity.Change(LoginId, -1, 0);
            _ringing = false;
        }
        _outcome.TrySetResult(outcome);
    }

    private LegFailure Classify(out int status)
    {
        var codes = _forks.Select(f => f.FinalStatus).ToList();
        status = codes.FirstOrDefault(c => c is 486 or 600 or 603);
        if (status != 0) return LegFailure.Busy;
        status = codes.FirstOrDefault(c => c is 408 or 480 or 503 or 404 or 410);
        if (status != 0) return LegFailure.Unavailable;
        status = codes.Count > 0 ? codes.Min() : 480;
        return LegFailure.Failed;
    }
}

/// <param name="Dialled">The number the leg's user sees as called (e.g. the transfer target).</param>
/// <param name="From">Who the leg's user sees as calling (the party being transferred, the callback user).</param>
/// <param name="Purpose">transfer, recall, callback, call-through or move (moves are not journaled again).</param>
internal sealed record SecondaryLeg(string Dialled, Pbx.Telephony.Calls.CallerIdentity From, string Purpose);

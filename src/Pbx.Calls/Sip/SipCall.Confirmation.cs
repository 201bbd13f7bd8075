using Pbx.Media.Relay;

namespace Pbx.Calls.Sip;

/// <summary>
/// An answered leg that must be confirmed by a keypress borrows the callee side of the relay before the call is
/// connected: the party hears the prompt from there and its digits come back through the relay's RFC 4733 watch.
/// </summary>
internal sealed partial class SipCall
{
    private SipOutboundLeg? _confirmingLeg;

    public bool BeginConfirmation(SipOutboundLeg leg, OutboundFork fork)
    {
        if (_phase != CallPhase.Routing || _media is null || _initialExchange is null || fork.AnswerSdp is null || _confirmingLeg is not null)
            return false;
        if (_media.Complete(_initialExchange, fork.AnswerSdp) is null) return false;
        _confirmingLeg = leg;
        _media.PlayTo(RelayLeg.B, B2bua.Prompts.Play("press-any-key", loop: true));
        return true;
    }

    public void EndConfirmation(SipOutboundLeg leg)
    {
        if (_confirmingLeg != leg) return;
        _confirmingLeg = null;
        _media?.RefreshMusicOnHold();
    }

    private void OnRelayDigit(RelayLeg side, char digit)
    {
        if (TryCollectDigit(side, digit) || TryServedDigit(side, digit)) return;
        if (_phase == CallPhase.Connected) OnDigit(side, digit, "RFC 4733");
        else if (side == RelayLeg.B && _confirmingLeg is { } leg) leg.OnConfirmDigit();
    }
}

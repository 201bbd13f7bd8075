using Pbx.Sip.Messages;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Dialogs;

public sealed partial class SipDialog
{
    /// <summary>
    /// RFC 3261 §12.2.2 checks for a request the table matched to this dialog. A CSeq lower than the peer's last one is
    /// out of order (answer 500); otherwise the remote CSeq moves to it, and a target refresh (re-INVITE, UPDATE,
    /// SUBSCRIBE, NOTIFY) with a Contact replaces the remote target. ACK is never answered, so it is always accepted
    /// and changes nothing: its CSeq is the INVITE's, which may already be behind a later request.
    /// </summary>
    public InDialogRequestVerdict CheckIncomingRequest(SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsRequest) throw new ArgumentException("Not a request.", nameof(request));
        bool isAck = request.Method == SipMethod.Ack;
        SipUri newTarget = default;
        bool refresh = !isAck && IsTargetRefresh(request.Method) && OwnedValues.TryGetContactUri(request, out newTarget);
        uint cseq = request.CSeq.Number;
        lock (_sync)
        {
            if (_state == DialogState.Terminated) return InDialogRequestVerdict.RejectTerminated;
            if (isAck) return InDialogRequestVerdict.Accept;
            if (_hasRemoteCSeq && cseq < _remoteCSeq) return InDialogRequestVerdict.RejectOutOfOrder;
            _remoteCSeq = cseq;
            _hasRemoteCSeq = true;
            if (refresh) _remoteTarget = newTarget;
            return InDialogRequestVerdict.Accept;
        }
    }

    /// <summary>
    /// A response to a request we sent in (or to create) this dialog. A 2xx to the dialog-creating request confirms an
    /// early UAC dialog and recomputes its route set and remote target from that 2xx (RFC 3261 §13.2.2.4); a 2xx to a
    /// target refresh replaces the remote target with its Contact (§12.2.1.2). Anything else changes nothing: a
    /// non-2xx final ends early dialogs, which is the table's job (<see cref="DialogTable.ApplyUacResponse"/>).
    /// </summary>
    public void ApplyResponse(SipMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsResponse || response.StatusCode is < 200 or >= 300) return;
        var method = response.CSeq.Method;
        bool hasTarget = OwnedValues.TryGetContactUri(response, out var target);
        NameAddress[]? routes = null;
        lock (_sync)
        {
            if (_state == DialogState.Terminated) return;
            bool confirmsEarly = _state == DialogState.Early && Role == DialogRole.Uac && method is SipMethod.Invite or SipMethod.Subscribe or SipMethod.Refer;
            if (!confirmsEarly)
            {
                if (hasTarget && IsTargetRefresh(method)) _remoteTarget = target;
                return;
            }
        }
        // Parse outside the lock; a Record-Route that does not parse keeps the provisional route set rather than
        // dropping the call on a detail.
        if (!OwnedValues.TryReadRouteSet(response, reverse: true, out routes)) routes = null;
        lock (_sync)
        {
            if (_state != DialogState.Early) return;
            _state = DialogState.Confirmed;
            if (routes is not null) Volatile.Write(ref _routeSet, routes);
            if (hasTarget) _remoteTarget = target;
        }
    }

    /// <summary>Requests that replace the remote target (RFC 3261 §12.2 re-INVITE, RFC 3311 UPDATE, RFC 6665 SUBSCRIBE/NOTIFY).</summary>
    private static bool IsTargetRefresh(SipMethod method) =>
        method is SipMethod.Invite or SipMethod.Update or SipMethod.Subscribe or SipMethod.Notify;
}

using System.Net;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Transactions;

/// <summary>Writes extra headers into a response the transaction builds.</summary>
public delegate void SipHeaderWriter(SipMessageWriter writer);

/// <summary>INVITE (RFC 3261 §17.2.1 + RFC 6026) and non-INVITE (§17.2.2) server transactions.</summary>
public sealed class ServerTransaction : SipTransaction
{
    private byte[]? _lastResponse;
    private TimeSpan _interval;

    internal ServerTransaction(SipTransactionLayer layer, string key, SipMessage request, SipFlow flow)
        : base(layer, key, request, flow)
    {
        ResponseDestination = ComputeResponseDestination(request.TopVia, flow);
    }

    /// <summary>Where responses go (RFC 3261 §18.2.2, RFC 3581): the same connection, or the source address with the rport or sent-by port.</summary>
    public SipFlow ResponseDestination { get; }

    /// <summary>Status of the last response sent (0 before any).</summary>
    public int LastStatusCode { get; private set; }

    internal void Start()
    {
        lock (Sync)
        {
            State = IsInvite ? TransactionState.Proceeding : TransactionState.Trying;
            if (IsInvite) StartRetransmitTimer(Options.TryingDelay, static s => ((ServerTransaction)s).OnTryingTimer());
            StartTimeoutTimer(Options.MaxPendingLifetime, static s => ((ServerTransaction)s).OnPendingTimeout());
        }
    }

    /// <summary>Builds a response from the request (Via with received/rport, From, To + tag, Call-ID, CSeq) and sends it.</summary>
    public bool SendResponse(int statusCode, string reason, string? toTag = null, SipHeaderWriter? headers = null,
        ReadOnlyMemory<byte> body = default, string? contentType = null)
    {
        using var buffer = new PooledBufferWriter(512 + body.Length);
        var writer = new SipMessageWriter(buffer);
        SipResponseFactory.WriteResponseStart(writer, Request, statusCode, Encoding.UTF8.GetBytes(reason),
            toTag is null ? default : Encoding.ASCII.GetBytes(toTag), Flow.Remote);
        headers?.Invoke(writer);
        writer.WriteBody(body.Span, contentType is null ? default : Encoding.ASCII.GetBytes(contentType));
        return SendResponse(buffer.WrittenSpan);
    }

    /// <summary>Sends a response the TU built; false when the transaction no longer accepts this response.</summary>
    public bool SendResponse(ReadOnlySpan<byte> response)
    {
        int code = ReadStatusCode(response);
        if (code == 0) throw new ArgumentException("Not a SIP response.", nameof(response));
        byte[] bytes = response.ToArray();
        bool end = false;
        lock (Sync)
        {
            switch (State)
            {
                case TransactionState.Proceeding when IsInvite:
                    if (code < 200)
                    {
                        _lastResponse = bytes;
                    }
                    else if (code < 300)
                    {
                        // RFC 6026 Accepted: the TU retransmits the 2xx; retransmitted INVITEs are absorbed until Timer L.
                        State = TransactionState.Accepted;
                        _lastResponse = bytes;
                        StopRetransmitTimer();
                        StopTimeoutTimer();
                        end = ScheduleCleanup(Options.T1 * 64) && MarkTerminated(TerminationReason.Normal);
                    }
                    else
                    {
                        State = TransactionState.Completed;
                        _lastResponse = bytes;
                        StopTimeoutTimer();
                        if (!Flow.IsReliable)
                        {
                            _interval = Options.T1;
                            StartRetransmitTimer(_interval, static s => ((ServerTransaction)s).OnTimerG());
                        }
                        else
                        {
                            StopRetransmitTimer();
                        }
                        StartTimeoutTimer(Options.T1 * 64, static s => ((ServerTransaction)s).OnTimerH());
                    }
                    break;
                case TransactionState.Accepted when code is >= 200 and < 300:
                    break;
                case TransactionState.Trying or TransactionState.Proceeding when !IsInvite:
                    _lastResponse = bytes;
                    if (code < 200)
                    {
                        State = TransactionState.Proceeding;
                    }
                    else
                    {
                        State = TransactionState.Completed;
                        StopTimeoutTimer();
                        end = ScheduleCleanup(Flow.IsReliable ? TimeSpan.Zero : Options.T1 * 64) && MarkTerminated(TerminationReason.Normal);
                    }
                    break;
                default:
                    return false;
            }
            LastStatusCode = code;
        }
        Layer.Send(this, bytes, ResponseDestination);
        if (end) Layer.Remove(this);
        return true;
    }

    /// <summary>A retransmission of the request arrived (§17.2.1, §17.2.2).</summary>
    internal void OnRequestRetransmission()
    {
        byte[]? resend = null;
        lock (Sync)
        {
            resend = State switch
            {
                TransactionState.Proceeding or TransactionState.Completed => _lastResponse,
                _ => null, // Trying, Accepted (RFC 6026), Confirmed: absorbed
            };
        }
        if (resend is not null) Layer.Retransmit(this, resend, ResponseDestination);
        else Layer.CountAbsorbed();
    }

    /// <summary>ACK matched this INVITE transaction; returns true when it belongs to the TU (Accepted state).</summary>
    internal bool OnAck()
    {
        bool end = false;
        lock (Sync)
        {
            if (State == TransactionState.Accepted) return true;
            if (State != TransactionState.Completed) return false;
            State = TransactionState.Confirmed;
            StopRetransmitTimer();
            StopTimeoutTimer();
            end = ScheduleCleanup(Flow.IsReliable ? TimeSpan.Zero : Options.T4) && MarkTerminated(TerminationReason.Normal);
        }
        if (end) Layer.Remove(this);
        return false;
    }

    private void OnTryingTimer()
    {
        lock (Sync)
        {
            if (State != TransactionState.Proceeding || LastStatusCode != 0) return;
        }
        SendResponse(100, "Trying");
    }

    // Timer G: retransmit the non-2xx final response, doubling up to T2.
    private void OnTimerG()
    {
        byte[]? resend;
        lock (Sync)
        {
            if (State != TransactionState.Completed) return;
            resend = _lastResponse;
            _interval = TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, Options.T2.Ticks));
            StartRetransmitTimer(_interval, static s => ((ServerTransaction)s).OnTimerG());
        }
        if (resend is not null) Layer.Retransmit(this, resend, ResponseDestination);
    }

    // Timer H: the ACK never came.
    private void OnTimerH()
    {
        bool end;
        lock (Sync) end = State == TransactionState.Completed && MarkTerminated(TerminationReason.NoAck);
        if (end) Layer.Remove(this);
    }

    // Not in RFC 3261: the TU never sent a final response; answer for it so the entry cannot live forever.
    private void OnPendingTimeout()
    {
        bool pending;
        lock (Sync) pending = State is TransactionState.Trying or TransactionState.Proceeding;
        if (pending) SendResponse(500, "Server Internal Error - No Final Response");
    }

    private static int ReadStatusCode(ReadOnlySpan<byte> r)
    {
        if (r.Length < 12 || !r.StartsWith("SIP/2.0 "u8)) return 0;
        int code = 0;
        for (int i = 8; i < 11; i++)
        {
            if (!SipChars.IsDigit(r[i])) return 0;
            code = code * 10 + r[i] - '0';
        }
        return code is >= 100 and <= 699 ? code : 0;
    }

    private static SipFlow ComputeResponseDestination(SipVia via, SipFlow flow)
    {
        if (flow.IsReliable) return flow;
        int port = via.HasRport ? flow.Remote.Port : via.Port != 0 ? via.Port : 5060;
        return flow with { Remote = new IPEndPoint(flow.Remote.Address, port) };
    }
}

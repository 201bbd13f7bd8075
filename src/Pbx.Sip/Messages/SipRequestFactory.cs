namespace Pbx.Sip.Messages;

/// <summary>Requests the transaction layer derives from another request (RFC 3261 §9.1 CANCEL, §17.1.1.3 ACK).</summary>
public static class SipRequestFactory
{
    /// <summary>ACK for a non-2xx final response: same Request-URI, top Via, From, Call-ID, CSeq number and Routes; To from the response.</summary>
    public static void WriteAckForFailure(SipMessageWriter writer, SipMessage invite, SipMessage response)
    {
        writer.WriteRequestLine(SipMethod.Ack, invite.RequestUri.Raw);
        writer.WriteHeader(HeaderKind.Via, invite.TopVia.Raw);
        writer.WriteHeader(HeaderKind.MaxForwards, 70);
        writer.WriteHeader(HeaderKind.From, invite.From.Raw);
        writer.WriteHeader(HeaderKind.To, response.To.Raw);
        writer.WriteHeader(HeaderKind.CallId, invite.CallId);
        writer.WriteCSeq(invite.CSeq.Number, "ACK"u8);
        CopyRoutes(writer, invite);
        writer.WriteBody(default);
    }

    /// <summary>CANCEL for a pending INVITE (same branch, so it matches the INVITE's server transaction downstream).</summary>
    public static void WriteCancel(SipMessageWriter writer, SipMessage invite)
    {
        writer.WriteRequestLine(SipMethod.Cancel, invite.RequestUri.Raw);
        writer.WriteHeader(HeaderKind.Via, invite.TopVia.Raw);
        writer.WriteHeader(HeaderKind.MaxForwards, 70);
        writer.WriteHeader(HeaderKind.From, invite.From.Raw);
        writer.WriteHeader(HeaderKind.To, invite.To.Raw);
        writer.WriteHeader(HeaderKind.CallId, invite.CallId);
        writer.WriteCSeq(invite.CSeq.Number, "CANCEL"u8);
        CopyRoutes(writer, invite);
        writer.WriteBody(default);
    }

    private static void CopyRoutes(SipMessageWriter writer, SipMessage request)
    {
        for (int i = 0; i < request.HeaderCount; i++)
        {
            var h = request.GetHeader(i);
            if (h.Kind == HeaderKind.Route) writer.WriteHeader(HeaderKind.Route, h.Value);
        }
    }
}

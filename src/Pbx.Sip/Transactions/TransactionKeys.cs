using Pbx.Sip.Messages;

namespace Pbx.Sip.Transactions;

/// <summary>Transaction matching keys (RFC 3261 §17.1.3, §17.2.3).</summary>
internal static class TransactionKeys
{
    /// <summary>
    /// Server side: branch + sent-by + method, ACK matching INVITE. Without an RFC 3261 branch (RFC 2543 peers,
    /// RFC 4475 badbranch) the fallback uses Request-URI, From tag, Call-ID, CSeq and the top Via.
    /// </summary>
    public static string ForServer(SipMessage request) => ForServer(request, request.Method == SipMethod.Ack ? "INVITE"u8 : request.MethodName);

    public static string ForServer(SipMessage request, ReadOnlySpan<byte> method)
    {
        var via = request.TopVia;
        if (via.IsRfc3261Branch)
        {
            return string.Concat(Utf8(via.Branch), "|", Utf8(via.Host), ":", via.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "|", Utf8(method));
        }
        return string.Join('|', "2543", Utf8(request.RequestUri.Raw), Utf8(request.From.Tag), Utf8(request.CallId),
            request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), Utf8(method), Utf8(via.Raw));
    }

    /// <summary>Client side: branch of the top Via + CSeq method.</summary>
    public static string ForClient(SipMessage message) => string.Concat(Utf8(message.TopVia.Branch), "|", Utf8(message.CSeq.MethodName));

    private static string Utf8(ReadOnlySpan<byte> s) => System.Text.Encoding.UTF8.GetString(s);
}

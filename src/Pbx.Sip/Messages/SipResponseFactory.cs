using System.Net;
using System.Text;

namespace Pbx.Sip.Messages;

/// <summary>
/// Builds responses from a request (RFC 3261 §8.2.6): Via (all, in order), From, To (+ tag), Call-ID and CSeq are copied.
/// Works from the framed header lines, so it can answer a request that failed header semantics (stateless 400).
/// When the request's source address is given, the top Via gets received/rport (RFC 3261 §18.2.1, RFC 3581).
/// </summary>
public static class SipResponseFactory
{
    /// <summary>Writes the status line and copied headers; continue with more headers and finish with WriteBody.</summary>
    public static void WriteResponseStart(SipMessageWriter writer, SipMessage request, int statusCode, ReadOnlySpan<byte> reason,
        ReadOnlySpan<byte> toTag, IPEndPoint? source)
    {
        writer.WriteStatusLine(statusCode, reason);
        WriteVias(writer, request, source);
        var s = request.Source.Span;
        var entries = request.HeaderEntries.AsSpan(0, request.HeaderEntryCount);
        CopyFirst(writer, entries, s, HeaderKind.From);
        foreach (var e in entries)
        {
            if (e.Kind != HeaderKind.To) continue;
            writer.BeginHeader(HeaderKind.To);
            writer.WriteValuePart(e.Value.Of(s));
            bool hasTag = !request.To.IsEmpty ? request.To.HasTag : e.Value.Of(s).IndexOf(";tag="u8) >= 0;
            if (!hasTag && !toTag.IsEmpty)
            {
                writer.WriteValuePart(";tag="u8);
                writer.WriteValuePart(toTag);
            }
            writer.EndHeader();
            break;
        }
        CopyFirst(writer, entries, s, HeaderKind.CallId);
        CopyFirst(writer, entries, s, HeaderKind.CSeq);
    }

    /// <summary>Complete response without body into a pooled buffer (caller disposes).</summary>
    public static PooledBufferWriter CreateResponse(SipMessage request, int statusCode, string reason, string? toTag = null,
        IPEndPoint? source = null)
    {
        var buffer = new PooledBufferWriter(512 + request.Length / 2);
        var writer = new SipMessageWriter(buffer);
        WriteResponseStart(writer, request, statusCode, Encoding.UTF8.GetBytes(reason), toTag is null ? default : Encoding.ASCII.GetBytes(toTag), source);
        writer.WriteBody(default);
        return buffer;
    }

    private static void CopyFirst(SipMessageWriter writer, ReadOnlySpan<HeaderEntry> entries, ReadOnlySpan<byte> s, HeaderKind kind)
    {
        foreach (var e in entries)
        {
            if (e.Kind == kind)
            {
                writer.WriteHeader(kind, e.Value.Of(s));
                return;
            }
        }
    }

    private static void WriteVias(SipMessageWriter writer, SipMessage request, IPEndPoint? source)
    {
        var s = request.Source.Span;
        bool first = true;
        for (int i = 0; i < request.HeaderEntryCount; i++)
        {
            var e = request.HeaderEntries[i];
            if (e.Kind != HeaderKind.Via) continue;
            if (first && request.ViaValueCount > 0)
            {
                first = false;
                var top = request.ViaValues[0];
                writer.BeginHeader(HeaderKind.Via);
                WriteTopVia(writer, top, s, source);
                writer.EndHeader();
                // Values after the top one in the same header line keep their own line.
                int restStart = Lws.Skip(s, top.RawRange.End, e.Value.End);
                if (restStart < e.Value.End && s[restStart] == ',')
                {
                    restStart = Lws.Skip(s, restStart + 1, e.Value.End);
                    if (restStart < e.Value.End) writer.WriteHeader(HeaderKind.Via, s[restStart..e.Value.End]);
                }
                continue;
            }
            first = false;
            writer.WriteHeader(HeaderKind.Via, e.Value.Of(s));
        }
    }

    private static void WriteTopVia(SipMessageWriter writer, SipVia via, ReadOnlySpan<byte> s, IPEndPoint? source)
    {
        var raw = via.RawRange;
        if (source is null)
        {
            writer.WriteValuePart(raw.Of(s));
            return;
        }
        var rport = via.RportRange;
        bool fillRport = rport.IsPresent && rport.Length == 0;
        if (fillRport)
        {
            writer.WriteValuePart(s[raw.Offset..rport.Offset]);
            writer.WriteValuePart("="u8);
            writer.WriteValuePart(source.Port);
            writer.WriteValuePart(s[rport.Offset..raw.End]);
        }
        else
        {
            writer.WriteValuePart(raw.Of(s));
        }
        if (!via.HasReceived && (fillRport || !HostIs(via.Host, source.Address)))
        {
            Span<byte> ip = stackalloc byte[64];
            if (source.Address.TryFormat(ip, out int n))
            {
                writer.WriteValuePart(";received="u8);
                writer.WriteValuePart(ip[..n]);
            }
        }
    }

    private static bool HostIs(ReadOnlySpan<byte> host, IPAddress address)
    {
        if (host.Length > 2 && host[0] == '[') host = host[1..^1];
        return IPAddress.TryParse(host, out var parsed) && parsed.Equals(address);
    }
}

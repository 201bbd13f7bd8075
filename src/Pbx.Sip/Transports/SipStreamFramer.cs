using System.Buffers;
using Pbx.Sip.Messages;

namespace Pbx.Sip.Transports;

public enum FrameStatus : byte
{
    /// <summary>A whole message is in <c>frame</c>.</summary>
    Message,

    /// <summary>Not enough bytes yet.</summary>
    NeedMore,

    /// <summary>RFC 5626 §4.4.1 double-CRLF ping: answer with a single CRLF (pong).</summary>
    Ping,

    /// <summary>A single CRLF (pong or stray line end) was consumed.</summary>
    Pong,

    /// <summary>Unrecoverable framing error (bad or missing Content-Length, message too large): close the connection.</summary>
    Error,
}

/// <summary>
/// Frames SIP messages on a byte stream by Content-Length (RFC 3261 §18.3), with the size limit checked before buffering
/// more, and recognises RFC 5626 CRLF keep-alives between messages.
/// </summary>
public static class SipStreamFramer
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, SipParseOptions options, out ReadOnlySequence<byte> frame, out string error)
    {
        frame = default;
        error = "";
        var reader = new SequenceReader<byte>(buffer);

        if (reader.IsNext(HeaderEnd))
        {
            buffer = buffer.Slice(4);
            return FrameStatus.Ping;
        }
        if (reader.IsNext("\r\n"u8))
        {
            if (buffer.Length < 4 && IsPrefixOf(buffer, HeaderEnd)) return FrameStatus.NeedMore;
            buffer = buffer.Slice(2);
            return FrameStatus.Pong;
        }
        if (buffer.Length > 0 && (buffer.FirstSpan[0] is (byte)'\r' or (byte)'\n'))
        {
            if (buffer.Length == 1) return FrameStatus.NeedMore;
            buffer = buffer.Slice(1);
            return FrameStatus.Pong;
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > options.MaxMessageSize)
            {
                error = "Header section exceeds the message size limit";
                return FrameStatus.Error;
            }
            return FrameStatus.NeedMore;
        }
        long headerLength = headers.Length + 4;
        if (!TryGetContentLength(headers, out long contentLength, out error)) return FrameStatus.Error;
        long total = headerLength + contentLength;
        if (total > options.MaxMessageSize)
        {
            error = "Message exceeds the size limit";
            return FrameStatus.Error;
        }
        if (buffer.Length < total) return FrameStatus.NeedMore;
        frame = buffer.Slice(0, total);
        buffer = buffer.Slice(total);
        return FrameStatus.Message;
    }

    private static bool IsPrefixOf(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> full)
    {
        Span<byte> tmp = stackalloc byte[4];
        buffer.CopyTo(tmp);
        return full.StartsWith(tmp[..(int)buffer.Length]);
    }

    // Streams must carry Content-Length (RFC 3261 §18.3 / §20.14); it is the only way to find the next message.
    private static bool TryGetContentLength(ReadOnlySequence<byte> headers, out long length, out string error)
    {
        length = -1;
        error = "";
        byte[]? rented = null;
        int size = (int)headers.Length;
        Span<byte> block = size <= 4096 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            headers.CopyTo(block);
            int lineStart = block.IndexOf((byte)'\n') + 1; // skip the start line
            while (lineStart > 0 && lineStart < block.Length)
            {
                int nl = block[lineStart..].IndexOf((byte)'\n');
                int lineEnd = nl < 0 ? block.Length : lineStart + nl;
                var line = block[lineStart..lineEnd].TrimEnd((byte)'\r');
                int colon = line.IndexOf((byte)':');
                if (colon > 0 && HeaderNames.Lookup(line[..colon].TrimEnd(" \t"u8)) == HeaderKind.ContentLength)
                {
                    var value = line[(colon + 1)..].Trim(" \t"u8);
                    if (length >= 0)
                    {
                        error = "Multiple Content-Length headers";
                        return false;
                    }
                    if (value.IsEmpty || value.Length > 10 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                    {
                        error = "Malformed Content-Length";
                        return false;
                    }
                    length = 0;
                    foreach (byte b in value) length = length * 10 + (b - '0');
                }
                if (nl < 0) break;
                lineStart = lineEnd + 1;
            }
            if (length < 0)
            {
                error = "Missing Content-Length on a stream transport";
                return false;
            }
            return true;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

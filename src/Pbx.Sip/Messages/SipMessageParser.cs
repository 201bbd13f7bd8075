using System.Buffers;

namespace Pbx.Sip.Messages;

/// <summary>
/// Frames start line, header lines and body over the buffer, then parses the eager headers.
/// Never throws: every failure is a <see cref="SipParseResult"/> (guarded by a catch-all as a last line of defence).
/// </summary>
internal static class SipMessageParser
{
    private static long s_internalFailures;

    /// <summary>Exceptions swallowed since start; non-zero means a parser bug.</summary>
    internal static long InternalFailures => Interlocked.Read(ref s_internalFailures);

    public static SipParseResult Parse(ReadOnlyMemory<byte> data, SipParseOptions options, bool isDatagram, IDisposable? owner)
    {
        SipMessage? message = null;
        try
        {
            var result = ParseCore(data, options, isDatagram, out message);
            if (result.Message is not null && result.IsSuccess) result.Message.SetOwner(owner);
            return result;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A parser bug must never take down a receive loop; report it as unparsable and count it (the fuzz test asserts zero).
            Interlocked.Increment(ref s_internalFailures);
            message?.Dispose();
            return new SipParseResult(SipParseError.Drop, "Unparsable message", null);
        }
    }

    private static SipParseResult ParseCore(ReadOnlyMemory<byte> data, SipParseOptions options, bool isDatagram, out SipMessage? message)
    {
        message = null;
        if (data.Length > options.MaxMessageSize) return Fail(SipParseError.MessageTooLarge, "Message Too Large");

        var all = data.Span;
        int skip = 0;
        while (skip < all.Length && all[skip] is (byte)'\r' or (byte)'\n') skip++;
        var source = data[skip..];
        var s = source.Span;
        if (s.IsEmpty) return Fail(SipParseError.Drop, "Empty message");

        int lf = s.IndexOf((byte)'\n');
        if (lf < 0) return Fail(SipParseError.Drop, "No start line");
        int lineEnd = lf > 0 && s[lf - 1] == '\r' ? lf - 1 : lf;

        var msg = new SipMessage(source, options);
        message = msg;
        var start = StartLineParser.Parse(source, lineEnd, options, msg);
        if (start.Error == SipParseError.Drop)
        {
            msg.Dispose();
            message = null;
            return start;
        }
        var firstError = start;

        int pos = lf + 1;
        var framing = FrameHeaders(s, ref pos, options, msg);
        if (framing.Error != SipParseError.None)
        {
            msg.Length = s.Length;
            return WithMessage(framing, msg);
        }
        int bodyStart = pos;

        if (!firstError.IsSuccess) return SetBodyAndReturn(firstError, msg, s, bodyStart, isDatagram);

        var semantic = HeaderSemantics.Apply(msg, options);
        return SetBodyAndReturn(semantic, msg, s, bodyStart, isDatagram);
    }

    private static SipParseResult SetBodyAndReturn(SipParseResult result, SipMessage msg, ReadOnlySpan<byte> s, int bodyStart, bool isDatagram)
    {
        int available = s.Length - bodyStart;
        int bodyLength = msg.ContentLength >= 0 ? msg.ContentLength : available;
        if (bodyLength > available)
        {
            bodyLength = available;
            if (result.IsSuccess)
            {
                result = new SipParseResult(SipParseError.Malformed,
                    isDatagram ? "Bad Request - Content-Length Exceeds Datagram" : "Bad Request - Truncated Body", msg);
            }
        }
        msg.BodyRange = new TextRange(bodyStart, bodyLength);
        msg.Length = bodyStart + bodyLength;
        return WithMessage(result, msg);
    }

    private static SipParseResult WithMessage(SipParseResult r, SipMessage msg) =>
        r.IsSuccess ? SipParseResult.Ok(msg) : new SipParseResult(r.Error, r.ReasonPhrase, msg);

    internal static SipParseResult Fail(SipParseError error, string reason) => new(error, reason, null);

    /// <summary>Splits header lines (folded continuations join the previous header) up to the empty line.</summary>
    private static SipParseResult FrameHeaders(ReadOnlySpan<byte> s, ref int pos, SipParseOptions options, SipMessage msg)
    {
        msg.HeaderEntries = ArrayPool<HeaderEntry>.Shared.Rent(Math.Min(32, options.MaxHeaderCount));
        int count = 0;
        int valueStart = -1, valueEnd = -1;
        HeaderKind kind = HeaderKind.Unknown;
        TextRange name = default;

        while (true)
        {
            if (pos >= s.Length)
            {
                Flush(s, msg, ref count, kind, name, ref valueStart, valueEnd);
                return Fail(SipParseError.Malformed, "Bad Request - Missing Empty Line");
            }
            byte first = s[pos];
            if (first == '\n' || (first == '\r' && pos + 1 < s.Length && s[pos + 1] == '\n'))
            {
                Flush(s, msg, ref count, kind, name, ref valueStart, valueEnd);
                pos += first == '\n' ? 1 : 2;
                msg.HeaderEntryCount = count;
                return SipParseResult.Ok(msg);
            }

            int lf = s[pos..].IndexOf((byte)'\n');
            int lineBreak = lf < 0 ? s.Length : pos + lf;
            int contentEnd = lineBreak > pos && s[lineBreak - 1] == '\r' ? lineBreak - 1 : lineBreak;
            // A CR that does not end the line would let a value smuggle a line break into anything that copies it.
            if (s[pos..contentEnd].Contains((byte)'\r')) return Fail(SipParseError.Malformed, "Bad Request - Bare CR In Header");

            if (SipChars.IsWhitespace(first))
            {
                if (valueStart < 0) return Fail(SipParseError.Malformed, "Bad Request - Continuation Without Header");
                valueEnd = contentEnd;
            }
            else
            {
                Flush(s, msg, ref count, kind, name, ref valueStart, valueEnd);
                if (count >= options.MaxHeaderCount)
                {
                    msg.HeaderEntryCount = count;
                    return Fail(SipParseError.TooManyHeaders, "Message Too Large - Too Many Headers");
                }
                int colon = s[pos..contentEnd].IndexOf((byte)':');
                if (colon < 0) return Fail(SipParseError.Malformed, "Bad Request - Malformed Header Line");
                colon += pos;
                int nameEnd = colon;
                while (nameEnd > pos && SipChars.IsWhitespace(s[nameEnd - 1])) nameEnd--;
                if (!SipChars.IsTokenSpan(s[pos..nameEnd])) return Fail(SipParseError.Malformed, "Bad Request - Malformed Header Name");
                name = TextRange.FromBounds(pos, nameEnd);
                kind = HeaderNames.Lookup(name.Of(s));
                valueStart = colon + 1;
                valueEnd = contentEnd;
            }
            if (lf < 0)
            {
                pos = s.Length;
                continue;
            }
            pos = lineBreak + 1;
        }
    }

    private static void Flush(ReadOnlySpan<byte> s, SipMessage msg, ref int count, HeaderKind kind, TextRange name, ref int valueStart, int valueEnd)
    {
        if (valueStart < 0) return;
        int vs = Lws.Skip(s, valueStart, valueEnd);
        int ve = Lws.TrimEnd(s, vs, valueEnd);
        if (count == msg.HeaderEntries.Length)
        {
            var bigger = ArrayPool<HeaderEntry>.Shared.Rent(count * 2);
            msg.HeaderEntries.AsSpan(0, count).CopyTo(bigger);
            ArrayPool<HeaderEntry>.Shared.Return(msg.HeaderEntries);
            msg.HeaderEntries = bigger;
        }
        msg.HeaderEntries[count++] = new HeaderEntry(kind, name, TextRange.FromBounds(vs, ve));
        msg.HeaderEntryCount = count;
        valueStart = -1;
    }
}

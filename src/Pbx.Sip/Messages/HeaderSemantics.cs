using System.Buffers;

namespace Pbx.Sip.Messages;

/// <summary>Parses the eager headers and checks what RFC 3261 §8.1.1 requires of every message.</summary>
internal static class HeaderSemantics
{
    public static SipParseResult Apply(SipMessage msg, SipParseOptions options)
    {
        var source = msg.Source;
        var s = source.Span;
        bool hasFrom = false, hasTo = false, hasCallId = false, hasCSeq = false, hasMaxForwards = false, hasContentLength = false;

        for (int i = 0; i < msg.HeaderEntryCount; i++)
        {
            var h = msg.HeaderEntries[i];
            switch (h.Kind)
            {
                case HeaderKind.Via:
                {
                    var r = ParseVias(msg, h.Value, options);
                    if (!r.IsSuccess) return r;
                    break;
                }
                case HeaderKind.From:
                case HeaderKind.To:
                {
                    bool isFrom = h.Kind == HeaderKind.From;
                    if (isFrom ? hasFrom : hasTo) return Bad(isFrom ? "Bad Request - Multiple From Headers" : "Bad Request - Multiple To Headers", msg);
                    var status = NameAddressParser.Parse(source, h.Value, options.MaxUriLength, allowWildcard: false, out var value, out int next);
                    if (status == ValueStatus.UriTooLong) return new SipParseResult(SipParseError.UriTooLong, "URI Too Long", msg);
                    if (status != ValueStatus.Ok || next != h.Value.End) return Bad(isFrom ? "Bad Request - Malformed From" : "Bad Request - Malformed To", msg);
                    if (isFrom)
                    {
                        msg.From = value;
                        hasFrom = true;
                    }
                    else
                    {
                        msg.To = value;
                        hasTo = true;
                    }
                    break;
                }
                case HeaderKind.CallId:
                    if (hasCallId) return Bad("Bad Request - Multiple Call-ID Headers", msg);
                    if (!IsValidCallId(h.Value.Of(s))) return Bad("Bad Request - Malformed Call-ID", msg);
                    msg.CallIdRange = h.Value;
                    hasCallId = true;
                    break;
                case HeaderKind.CSeq:
                {
                    if (hasCSeq) return Bad("Bad Request - Multiple CSeq Headers", msg);
                    if (!CSeqValue.TryParse(source, h.Value, out var cseq)) return Bad("Bad Request - Malformed CSeq", msg);
                    msg.CSeq = cseq;
                    hasCSeq = true;
                    break;
                }
                case HeaderKind.MaxForwards:
                {
                    if (hasMaxForwards) return Bad("Bad Request - Multiple Max-Forwards Headers", msg);
                    if (!Lws.TryParseUInt(h.Value.Of(s), 255, out ulong mf)) return Bad("Bad Request - Malformed Max-Forwards", msg);
                    msg.MaxForwards = (int)mf;
                    hasMaxForwards = true;
                    break;
                }
                case HeaderKind.ContentLength:
                {
                    if (hasContentLength) return Bad("Bad Request - Multiple Content-Length Headers", msg);
                    var digits = h.Value.Of(s);
                    if (digits.IsEmpty || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0) return Bad("Bad Request - Malformed Content-Length", msg);
                    if (!Lws.TryParseUInt(digits, (ulong)options.MaxMessageSize, out ulong cl))
                    {
                        return new SipParseResult(SipParseError.BodyTooLarge, "Request Entity Too Large", msg);
                    }
                    msg.ContentLength = (int)cl;
                    hasContentLength = true;
                    break;
                }
                case HeaderKind.Contact:
                {
                    var r = ParseContacts(msg, h.Value, options);
                    if (!r.IsSuccess) return r;
                    break;
                }
            }
        }

        if (msg.ViaValueCount == 0) return Bad("Bad Request - Missing Via", msg);
        if (!hasTo) return Bad("Bad Request - Missing To", msg);
        if (!hasFrom) return Bad("Bad Request - Missing From", msg);
        if (!hasCallId) return Bad("Bad Request - Missing Call-ID", msg);
        if (!hasCSeq) return Bad("Bad Request - Missing CSeq", msg);
        if (msg.IsRequest && !msg.CSeq.MethodName.SequenceEqual(msg.MethodName))
        {
            return Bad("Bad Request - CSeq Method Mismatch", msg);
        }
        return SipParseResult.Ok(msg);
    }

    private static SipParseResult ParseVias(SipMessage msg, TextRange value, SipParseOptions options)
    {
        var source = msg.Source;
        var s = source.Span;
        int pos = value.Offset;
        while (true)
        {
            if (!ViaParser.TryParse(source, TextRange.FromBounds(pos, value.End), out var via, out int next)) return Bad("Bad Request - Malformed Via", msg);
            if (msg.ViaValueCount >= options.MaxViaCount) return new SipParseResult(SipParseError.TooManyVias, "Too Many Hops - Too Many Via Values", msg);
            if (msg.ViaValueCount == msg.ViaValues.Length) msg.ViaValues = Grow(msg.ViaValues, msg.ViaValueCount, 4);
            msg.ViaValues[msg.ViaValueCount++] = via;
            if (next >= value.End) return SipParseResult.Ok(msg);
            pos = next + 1;
            if (Lws.Skip(s, pos, value.End) >= value.End) return Bad("Bad Request - Malformed Via", msg);
        }
    }

    private static SipParseResult ParseContacts(SipMessage msg, TextRange value, SipParseOptions options)
    {
        var source = msg.Source;
        var s = source.Span;
        int pos = value.Offset;
        while (true)
        {
            var status = NameAddressParser.Parse(source, TextRange.FromBounds(pos, value.End), options.MaxUriLength, allowWildcard: true, out var contact, out int next);
            if (status == ValueStatus.UriTooLong) return new SipParseResult(SipParseError.UriTooLong, "URI Too Long", msg);
            if (status != ValueStatus.Ok) return Bad("Bad Request - Malformed Contact", msg);
            if (msg.ContactValueCount == msg.ContactValues.Length) msg.ContactValues = Grow(msg.ContactValues, msg.ContactValueCount, 2);
            msg.ContactValues[msg.ContactValueCount++] = contact;
            if (next >= value.End) return SipParseResult.Ok(msg);
            pos = next + 1;
            if (Lws.Skip(s, pos, value.End) >= value.End) return Bad("Bad Request - Malformed Contact", msg);
        }
    }

    private static T[] Grow<T>(T[] current, int count, int initial)
    {
        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(initial, count * 2));
        if (current.Length > 0)
        {
            current.AsSpan(0, count).CopyTo(bigger);
            ArrayPool<T>.Shared.Return(current, clearArray: true);
        }
        return bigger;
    }

    // callid = word [ "@" word ]; RFC 4475 intmeth shows how wide "word" is. No LWS inside.
    private static bool IsValidCallId(ReadOnlySpan<byte> v)
    {
        if (v.IsEmpty) return false;
        foreach (byte b in v)
        {
            if (!SipChars.IsWord(b) && b != '@') return false;
        }
        return true;
    }

    private static SipParseResult Bad(string reason, SipMessage msg) => new(SipParseError.Malformed, reason, msg);
}

namespace Pbx.Sip.Messages;

/// <summary>CSeq: sequence number and method (RFC 3261 §20.16).</summary>
public readonly struct CSeqValue
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly TextRange _method;

    internal CSeqValue(ReadOnlyMemory<byte> source, uint number, SipMethod method, TextRange methodName)
    {
        _source = source;
        Number = number;
        Method = method;
        _method = methodName;
    }

    public uint Number { get; }

    public SipMethod Method { get; }

    public ReadOnlySpan<byte> MethodName => _method.Of(_source.Span);

    internal static bool TryParse(ReadOnlyMemory<byte> source, TextRange value, out CSeqValue cseq)
    {
        cseq = default;
        var s = source.Span;
        int pos = value.Offset, end = value.End;
        int digitsStart = pos;
        while (pos < end && SipChars.IsDigit(s[pos])) pos++;
        if (!Lws.TryParseUInt(s[digitsStart..pos], uint.MaxValue, out ulong number)) return false;
        int afterDigits = pos;
        pos = Lws.Skip(s, pos, end);
        if (pos == afterDigits) return false;
        int methodStart = pos;
        pos = Lws.ReadToken(s, pos, end);
        if (pos == methodStart || pos != end) return false;
        var range = TextRange.FromBounds(methodStart, pos);
        cseq = new CSeqValue(source, (uint)number, SipMethods.Lookup(range.Of(s)), range);
        return true;
    }
}

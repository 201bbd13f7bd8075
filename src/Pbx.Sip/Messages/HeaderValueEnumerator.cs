namespace Pbx.Sip.Messages;

/// <summary>Iterates comma-separated header values across header lines; commas inside "..." and &lt;...&gt; do not split.</summary>
public ref struct HeaderValueEnumerator
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly ReadOnlySpan<HeaderEntry> _headers;
    private readonly HeaderKind _kind;
    private int _header;
    private int _pos;
    private int _end;

    internal HeaderValueEnumerator(ReadOnlySpan<byte> buffer, ReadOnlySpan<HeaderEntry> headers, HeaderKind kind)
    {
        _buffer = buffer;
        _headers = headers;
        _kind = kind;
        _header = -1;
        _pos = _end = 0;
        Current = default;
    }

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly HeaderValueEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        var s = _buffer;
        while (true)
        {
            if (_pos >= _end)
            {
                do
                {
                    _header++;
                }
                while (_header < _headers.Length && _headers[_header].Kind != _kind);
                if (_header >= _headers.Length) return false;
                _pos = _headers[_header].Value.Offset;
                _end = _headers[_header].Value.End;
            }
            int start = Lws.Skip(s, _pos, _end);
            int pos = start;
            bool inAngle = false;
            while (pos < _end)
            {
                byte b = s[pos];
                if (b == '"')
                {
                    int q = Lws.ReadQuotedString(s, pos, _end);
                    pos = q < 0 ? _end : q;
                    continue;
                }
                if (b == '<') inAngle = true;
                else if (b == '>') inAngle = false;
                else if (b == ',' && !inAngle) break;
                pos++;
            }
            int valueEnd = Lws.TrimEnd(s, start, pos);
            _pos = pos + 1;
            if (valueEnd > start)
            {
                Current = s[start..valueEnd];
                return true;
            }
        }
    }
}

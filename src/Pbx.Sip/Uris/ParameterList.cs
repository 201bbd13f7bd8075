using Pbx.Sip.Messages;

namespace Pbx.Sip.Uris;

/// <summary>Walks "name[=value]" lists separated by ';' (or '&amp;' for URI headers), tolerating LWS around separators.</summary>
public static class ParameterList
{
    public static bool TryGet(ReadOnlySpan<byte> list, ReadOnlySpan<byte> name, byte separator, out ReadOnlySpan<byte> value)
    {
        var e = new Enumerator(list, separator);
        while (e.MoveNext(out var n, out var v))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(n, name))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    public static int Count(ReadOnlySpan<byte> list, byte separator)
    {
        int count = 0;
        var e = new Enumerator(list, separator);
        while (e.MoveNext(out _, out _)) count++;
        return count;
    }

    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _list;
        private readonly byte _separator;
        private int _pos;

        public Enumerator(ReadOnlySpan<byte> list, byte separator)
        {
            _list = list;
            _separator = separator;
            _pos = 0;
        }

        /// <summary>Next parameter; value is empty for a flag parameter. Quoted values keep their quotes.</summary>
        public bool MoveNext(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
        {
            var s = _list;
            while (true)
            {
                int pos = Lws.Skip(s, _pos, s.Length);
                while (pos < s.Length && s[pos] == _separator) pos = Lws.Skip(s, pos + 1, s.Length);
                if (pos >= s.Length)
                {
                    _pos = pos;
                    name = value = default;
                    return false;
                }
                int nameStart = pos;
                while (pos < s.Length && s[pos] != _separator && s[pos] != '=' && !SipChars.IsWhitespace(s[pos]) && s[pos] is not ((byte)'\r' or (byte)'\n')) pos++;
                name = s[nameStart..pos];
                pos = Lws.Skip(s, pos, s.Length);
                value = default;
                if (pos < s.Length && s[pos] == '=')
                {
                    pos = Lws.Skip(s, pos + 1, s.Length);
                    int valueStart = pos;
                    if (pos < s.Length && s[pos] == '"')
                    {
                        int q = Lws.ReadQuotedString(s, pos, s.Length);
                        pos = q < 0 ? s.Length : q;
                    }
                    else
                    {
                        while (pos < s.Length && s[pos] != _separator && !SipChars.IsWhitespace(s[pos]) && s[pos] is not ((byte)'\r' or (byte)'\n')) pos++;
                    }
                    value = s[valueStart..pos];
                }
                while (pos < s.Length && s[pos] != _separator) pos++;
                _pos = pos;
                if (name.IsEmpty) continue;
                return true;
            }
        }
    }
}

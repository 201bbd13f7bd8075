using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Pbx.Sip.Messages;

/// <summary>
/// Writes a SIP message into an <see cref="IBufferWriter{T}"/>: start line, headers, then
/// <see cref="WriteBody"/> which adds Content-Length and the empty line. Values are checked for CR/LF
/// (header injection); folds in copied values are written as a single SP.
/// </summary>
public readonly ref struct SipMessageWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly IBufferWriter<byte> _output;

    public SipMessageWriter(IBufferWriter<byte> output)
    {
        _output = output;
    }

    public void WriteRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> requestUri)
    {
        CheckToken(method);
        CheckNoWhitespace(requestUri);
        Write(method);
        Write(" "u8);
        Write(requestUri);
        Write(" SIP/2.0\r\n"u8);
    }

    public void WriteRequestLine(SipMethod method, ReadOnlySpan<byte> requestUri) => WriteRequestLine(SipMethods.GetName(method), requestUri);

    public void WriteStatusLine(int statusCode, ReadOnlySpan<byte> reason)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 699);
        CheckNoLineBreak(reason);
        Write("SIP/2.0 "u8);
        WriteNumber(statusCode);
        Write(" "u8);
        Write(reason);
        Write(Crlf);
    }

    public void WriteStatusLine(int statusCode, string reason) => WriteStatusLine(statusCode, Encoding.UTF8.GetBytes(reason));

    public void WriteHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        CheckToken(name);
        Write(name);
        Write(": "u8);
        WriteUnfolded(value);
        Write(Crlf);
    }

    public void WriteHeader(HeaderKind kind, ReadOnlySpan<byte> value) => WriteHeader(HeaderNames.GetName(kind), value);

    public void WriteHeader(HeaderKind kind, string value) => WriteHeader(HeaderNames.GetName(kind), Encoding.UTF8.GetBytes(value));

    public void WriteHeader(string name, string value) => WriteHeader(Encoding.ASCII.GetBytes(name), Encoding.UTF8.GetBytes(value));

    public void WriteHeader(HeaderKind kind, long value)
    {
        Write(HeaderNames.GetName(kind));
        Write(": "u8);
        WriteNumber(value);
        Write(Crlf);
    }

    /// <summary>Writes "Name: " and returns; follow with <see cref="WriteValuePart"/> calls and <see cref="EndHeader"/>.</summary>
    public void BeginHeader(HeaderKind kind)
    {
        Write(HeaderNames.GetName(kind));
        Write(": "u8);
    }

    public void WriteValuePart(ReadOnlySpan<byte> part) => WriteUnfolded(part);

    public void WriteValuePart(long number) => WriteNumber(number);

    public void EndHeader() => Write(Crlf);

    public void WriteCSeq(uint number, ReadOnlySpan<byte> method)
    {
        CheckToken(method);
        Write("CSeq: "u8);
        WriteNumber(number);
        Write(" "u8);
        Write(method);
        Write(Crlf);
    }

    /// <summary>Ends the headers: Content-Type (when given), Content-Length, the empty line and the body.</summary>
    public void WriteBody(ReadOnlySpan<byte> body, ReadOnlySpan<byte> contentType = default)
    {
        if (!contentType.IsEmpty) WriteHeader(HeaderKind.ContentType, contentType);
        WriteHeader(HeaderKind.ContentLength, body.Length);
        Write(Crlf);
        Write(body);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        var span = _output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        _output.Advance(bytes.Length);
    }

    public void WriteNumber(long value)
    {
        var span = _output.GetSpan(20);
        if (!Utf8Formatter.TryFormat(value, span, out int written)) throw new InvalidOperationException("Number did not fit.");
        _output.Advance(written);
    }

    private void WriteUnfolded(ReadOnlySpan<byte> value)
    {
        while (true)
        {
            int br = value.IndexOfAny((byte)'\r', (byte)'\n');
            if (br < 0)
            {
                Write(value);
                return;
            }
            Write(value[..br]);
            int next = br;
            if (value[next] == '\r') next++;
            if (next < value.Length && value[next] == '\n') next++;
            if (next >= value.Length || !SipChars.IsWhitespace(value[next]))
            {
                throw new ArgumentException("Header values may not contain a line break that is not a fold.", nameof(value));
            }
            while (next < value.Length && SipChars.IsWhitespace(value[next])) next++;
            Write(" "u8);
            value = value[next..];
        }
    }

    private static void CheckToken(ReadOnlySpan<byte> token)
    {
        if (!SipChars.IsTokenSpan(token)) throw new ArgumentException("Not a SIP token.", nameof(token));
    }

    private static void CheckNoWhitespace(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.IndexOfAny(" \t\r\n"u8) >= 0) throw new ArgumentException("Value may not be empty or contain whitespace.", nameof(value));
    }

    private static void CheckNoLineBreak(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny((byte)'\r', (byte)'\n') >= 0) throw new ArgumentException("Value may not contain CR or LF.", nameof(value));
    }
}

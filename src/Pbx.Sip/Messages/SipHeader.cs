using System.Text;

namespace Pbx.Sip.Messages;

/// <summary>A header line as name/value ranges over the message buffer; the value is raw (folds included).</summary>
internal readonly record struct HeaderEntry(HeaderKind Kind, TextRange Name, TextRange Value);

/// <summary>A header as seen by callers: spans into the message buffer, valid while the message is.</summary>
public readonly ref struct SipHeader
{
    internal SipHeader(HeaderKind kind, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Kind = kind;
        Name = name;
        Value = value;
    }

    public HeaderKind Kind { get; }

    /// <summary>The name as received (may be a compact form).</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The value as received, without leading/trailing LWS; folds inside are kept.</summary>
    public ReadOnlySpan<byte> Value { get; }

    public string ValueString => Encoding.UTF8.GetString(Value);
}

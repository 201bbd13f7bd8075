namespace Pbx.Sip.Messages;

/// <summary>
/// Offset and length of a piece of a message buffer. The default value is "absent", so value structs that were never
/// filled (a response's Request-URI, a wildcard Contact's URI) report their parts as missing rather than empty.
/// </summary>
public readonly struct TextRange : IEquatable<TextRange>
{
    private readonly int _offsetPlusOne;

    public TextRange(int offset, int length)
    {
        _offsetPlusOne = offset + 1;
        Length = length;
    }

    public static TextRange Missing => default;

    public int Offset => _offsetPlusOne - 1;

    public int Length { get; }

    public bool IsPresent => _offsetPlusOne > 0;

    public int End => Offset + Length;

    public static TextRange FromBounds(int start, int end) => new(start, end - start);

    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> buffer) => IsPresent ? buffer.Slice(Offset, Length) : default;

    public ReadOnlyMemory<byte> Of(ReadOnlyMemory<byte> buffer) => IsPresent ? buffer.Slice(Offset, Length) : default;

    public bool Equals(TextRange other) => _offsetPlusOne == other._offsetPlusOne && Length == other.Length;

    public override bool Equals(object? obj) => obj is TextRange other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_offsetPlusOne, Length);

    public static bool operator ==(TextRange left, TextRange right) => left.Equals(right);

    public static bool operator !=(TextRange left, TextRange right) => !left.Equals(right);

    public override string ToString() => IsPresent ? $"[{Offset}..{End})" : "missing";
}

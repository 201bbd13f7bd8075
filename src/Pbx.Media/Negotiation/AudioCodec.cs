namespace Pbx.Media.Negotiation;

/// <summary>
/// A codec identity as seen on the wire: encoding name, RTP clock rate and channel count (RFC 3551).
/// <see cref="AudioSampleRate"/> differs from <see cref="ClockRate"/> only for G.722, whose RTP clock is 8000
/// for historical reasons although it carries 16 kHz audio (RFC 3551 §4.5.2).
/// </summary>
public sealed record AudioCodec(string EncodingName, int ClockRate, int Channels, int? StaticPayloadType, int AudioSampleRate, string? DefaultFmtp = null)
{
    public const string TelephoneEventEncoding = "telephone-event";

    public static readonly AudioCodec Pcmu = new("PCMU", 8000, 1, 0, 8000);
    public static readonly AudioCodec Pcma = new("PCMA", 8000, 1, 8, 8000);
    public static readonly AudioCodec G722 = new("G722", 8000, 1, 9, 16000);
    /// <summary>RFC 4733 named telephone events; the fmtp advertises DTMF 0-9, *, #, A-D.</summary>
    public static readonly AudioCodec TelephoneEvent = new(TelephoneEventEncoding, 8000, 1, null, 8000, "0-15");

    public bool IsTelephoneEvent => string.Equals(EncodingName, TelephoneEventEncoding, StringComparison.OrdinalIgnoreCase);

    public bool Matches(string encodingName, int clockRate, int? channels) =>
        string.Equals(EncodingName, encodingName, StringComparison.OrdinalIgnoreCase)
        && ClockRate == clockRate
        && (channels ?? 1) == Channels;

    public bool SameCodecAs(AudioCodec other) => Matches(other.EncodingName, other.ClockRate, other.Channels);
}

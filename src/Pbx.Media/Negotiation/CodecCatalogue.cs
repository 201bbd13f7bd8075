using System.Diagnostics.CodeAnalysis;
using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>The codecs this PBX understands and how offered payload types resolve to them.</summary>
public static class CodecCatalogue
{
    public static IReadOnlyList<AudioCodec> All { get; } = [AudioCodec.Pcmu, AudioCodec.Pcma, AudioCodec.G722, AudioCodec.TelephoneEvent];

    public const int FirstDynamicPayloadType = 96;
    public const int LastDynamicPayloadType = 127;

    /// <summary>
    /// Resolves a payload type of an m= line: its rtpmap wins; without one, only static types (RFC 3551 table 4)
    /// are known. Unknown or unsupported formats return false.
    /// </summary>
    public static bool TryResolve(MediaDescription media, int payloadType, [NotNullWhen(true)] out AudioCodec? codec)
    {
        var rtpMap = media.GetRtpMap(payloadType);
        if (rtpMap is not null) return TryFind(rtpMap.EncodingName, rtpMap.ClockRate, rtpMap.Channels, out codec);
        codec = payloadType < FirstDynamicPayloadType
            ? All.FirstOrDefault(candidate => candidate.StaticPayloadType == payloadType)
            : null;
        return codec is not null;
    }

    public static bool TryFind(string encodingName, int clockRate, int? channels, [NotNullWhen(true)] out AudioCodec? codec)
    {
        codec = All.FirstOrDefault(candidate => candidate.Matches(encodingName, clockRate, channels));
        return codec is not null;
    }
}

/// <summary>Which codecs a call may use, in our order of preference when we are the offerer.</summary>
public sealed record CodecPolicy(IReadOnlyList<AudioCodec> AllowedAudioCodecs, bool AllowTelephoneEvent = true, int TelephoneEventPayloadType = 101)
{
    public int TelephoneEventPayloadType { get; } =
        TelephoneEventPayloadType is >= CodecCatalogue.FirstDynamicPayloadType and <= CodecCatalogue.LastDynamicPayloadType
            ? TelephoneEventPayloadType
            : throw new ArgumentOutOfRangeException(nameof(TelephoneEventPayloadType), "telephone-event needs a dynamic payload type (96-127).");

    public static CodecPolicy Default { get; } = new([AudioCodec.Pcmu, AudioCodec.Pcma, AudioCodec.G722]);

    public bool Allows(AudioCodec codec) =>
        codec.IsTelephoneEvent ? AllowTelephoneEvent : AllowedAudioCodecs.Any(allowed => allowed.SameCodecAs(codec));
}

/// <summary>One accepted format of an m= line: the payload type number as used on that leg.</summary>
public sealed record NegotiatedFormat(int PayloadType, AudioCodec Codec, string? Fmtp);

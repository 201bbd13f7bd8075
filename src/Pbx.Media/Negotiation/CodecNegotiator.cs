using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>Outcome of matching one offered m= line against a <see cref="CodecPolicy"/>.</summary>
public sealed record StreamNegotiation(int MediaIndex, MediaDescription Offered, IReadOnlyList<NegotiatedFormat> Formats, MediaDirection OfferedDirection)
{
    public bool IsAccepted => Formats.Count > 0;
    public MediaDirection AnswerDirection => HoldDetection.Mirror(OfferedDirection);
}

/// <summary>Outcome for a whole offer; when <see cref="HasCommonCodec"/> is false the caller answers 488.</summary>
public sealed record OfferNegotiation(SessionDescription Offer, IReadOnlyList<StreamNegotiation> Streams)
{
    public bool HasCommonCodec => Streams.Any(stream => stream.IsAccepted);
}

public static class CodecNegotiator
{
    public static OfferNegotiation NegotiateOffer(SessionDescription offer, CodecPolicy policy)
    {
        var streams = new List<StreamNegotiation>(offer.Media.Count);
        for (var i = 0; i < offer.Media.Count; i++)
        {
            var media = offer.Media[i];
            streams.Add(new StreamNegotiation(i, media, Intersect(media, policy), HoldDetection.GetEffectiveDirection(offer, media)));
        }
        return new OfferNegotiation(offer, streams);
    }

    /// <summary>
    /// Formats of an offered audio m= line that the policy allows, in the offerer's order and with the offerer's
    /// payload type numbers. Empty when the stream is rejected, not plain RTP audio, or has no common audio codec
    /// (telephone-event alone does not make a usable stream).
    /// </summary>
    public static IReadOnlyList<NegotiatedFormat> Intersect(MediaDescription offered, CodecPolicy policy)
    {
        if (offered.IsRejected || !IsPlainRtpAudio(offered)) return [];
        var formats = new List<NegotiatedFormat>();
        var hasAudioCodec = false;
        foreach (var payloadType in offered.GetPayloadTypes())
        {
            if (!CodecCatalogue.TryResolve(offered, payloadType, out var codec) || !policy.Allows(codec)) continue;
            if (formats.Any(existing => existing.Codec.SameCodecAs(codec))) continue;
            var fmtp = offered.GetFmtp(payloadType)?.Parameters;
            if (codec.IsTelephoneEvent)
            {
                var events = NegotiateTelephoneEvents(fmtp);
                if (events is null) continue;
                fmtp = events;
            }
            else
            {
                hasAudioCodec = true;
            }
            formats.Add(new NegotiatedFormat(payloadType, codec, fmtp));
        }
        return hasAudioCodec ? formats : [];
    }

    /// <summary>RTP/AVP or RTP/AVPF audio; secure profiles are refused because the relay does not do SRTP.</summary>
    public static bool IsPlainRtpAudio(MediaDescription media) =>
        string.Equals(media.MediaType, SdpConstants.MediaAudio, StringComparison.OrdinalIgnoreCase)
        && (string.Equals(media.Protocol, SdpConstants.ProtocolRtpAvp, StringComparison.OrdinalIgnoreCase)
            || string.Equals(media.Protocol, "RTP/AVPF", StringComparison.OrdinalIgnoreCase));

    private static string? NegotiateTelephoneEvents(string? offeredFmtp)
    {
        TelephoneEventRange offered;
        if (offeredFmtp is null) offered = TelephoneEventRange.DtmfOnly;
        else if (!TelephoneEventRange.TryParse(offeredFmtp, out offered)) return null;
        var common = offered.Intersect(TelephoneEventRange.DtmfOnly);
        return common.IsEmpty ? null : common.ToString();
    }
}

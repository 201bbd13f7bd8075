using System.Globalization;
using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>RFC 3264 answer built from our own codec policy, for when the PBX itself terminates or anchors media.</summary>
public static class OfferAnswer
{
    /// <summary>
    /// Answers every offered m= line (same count and order, RFC 3264 §6): accepted audio streams get the negotiated
    /// formats, our endpoint and the mirrored direction; the others, and those whose endpoint is null, get port 0.
    /// Returns null when no stream has a common codec: the caller then sends 488.
    /// </summary>
    public static SessionDescription? CreateAnswer(OfferNegotiation negotiation, SdpOrigin origin, IReadOnlyList<LocalMediaEndpoint?> endpoints)
    {
        if (!negotiation.HasCommonCodec) return null;
        var answer = new SessionDescription { Origin = origin, SessionName = "-" };
        answer.Timings.Add(new SdpTiming());
        var accepted = new List<LocalMediaEndpoint?>(negotiation.Streams.Count);
        foreach (var stream in negotiation.Streams)
        {
            var endpoint = stream.MediaIndex < endpoints.Count ? endpoints[stream.MediaIndex] : null;
            var usable = stream.IsAccepted && endpoint is not null;
            answer.Media.Add(usable ? CreateAcceptedMedia(stream) : CreateRejectedMedia(stream.Offered));
            accepted.Add(usable ? endpoint : null);
        }
        if (accepted.All(endpoint => endpoint is null)) return null;
        SdpRewriter.RewriteEndpoints(answer, accepted);
        return answer;
    }

    /// <summary>
    /// Our own offer with one audio stream: the policy's codecs in its order of preference, telephone-event on the
    /// policy's dynamic payload type, 20 ms packets and the given direction (e.g. sendonly to put the peer on hold).
    /// </summary>
    public static SessionDescription CreateOffer(CodecPolicy policy, SdpOrigin origin, LocalMediaEndpoint endpoint,
        MediaDirection direction = MediaDirection.SendRecv)
    {
        var formats = policy.AllowedAudioCodecs
            .Where(codec => codec.StaticPayloadType is not null && !codec.IsTelephoneEvent)
            .Select(codec => new NegotiatedFormat(codec.StaticPayloadType!.Value, codec, codec.DefaultFmtp))
            .ToList();
        if (formats.Count == 0) throw new ArgumentException("The policy allows no audio codec with a static payload type.", nameof(policy));
        if (policy.AllowTelephoneEvent)
            formats.Add(new NegotiatedFormat(policy.TelephoneEventPayloadType, AudioCodec.TelephoneEvent, AudioCodec.TelephoneEvent.DefaultFmtp));

        var offer = new SessionDescription { Origin = origin, SessionName = "-" };
        offer.Timings.Add(new SdpTiming());
        var media = new MediaDescription { MediaType = SdpConstants.MediaAudio, Protocol = SdpConstants.ProtocolRtpAvp, Port = endpoint.RtpPort };
        WriteFormats(media, formats);
        media.Ptime = 20;
        media.SetDirection(direction);
        offer.Media.Add(media);
        SdpRewriter.RewriteEndpoints(offer, [endpoint]);
        return offer;
    }

    public static MediaDescription CreateRejectedMedia(MediaDescription offered)
    {
        var rejected = new MediaDescription { MediaType = offered.MediaType, Port = 0, Protocol = offered.Protocol };
        rejected.Formats.AddRange(offered.Formats);
        return rejected;
    }

    /// <summary>Writes formats with explicit rtpmap lines (also for static types, which many phones expect) and fmtp.</summary>
    public static void WriteFormats(MediaDescription media, IEnumerable<NegotiatedFormat> formats)
    {
        var list = formats.ToList();
        foreach (var format in list)
        {
            media.Formats.Add(format.PayloadType.ToString(CultureInfo.InvariantCulture));
        }
        foreach (var format in list)
        {
            var channels = format.Codec.Channels == 1 ? (int?)null : format.Codec.Channels;
            var map = new SdpRtpMap(format.PayloadType, format.Codec.EncodingName, format.Codec.ClockRate, channels);
            media.Attributes.Add(new SdpAttribute(SdpConstants.AttributeRtpMap, map.ToAttributeValue()));
            if (format.Fmtp is not null)
                media.Attributes.Add(new SdpAttribute(SdpConstants.AttributeFmtp, new SdpFmtp(format.PayloadType, format.Fmtp).ToAttributeValue()));
        }
    }

    private static MediaDescription CreateAcceptedMedia(StreamNegotiation stream)
    {
        // Any non-zero port marks the line as accepted until RewriteEndpoints writes the real one.
        var media = new MediaDescription { MediaType = stream.Offered.MediaType, Protocol = stream.Offered.Protocol, Port = 9 };
        WriteFormats(media, stream.Formats);
        // We relay packets unchanged, so the packetisation the offerer asked for is what it will get.
        if (stream.Offered.Ptime is { } ptime) media.Ptime = ptime;
        media.SetDirection(stream.AnswerDirection);
        return media;
    }
}

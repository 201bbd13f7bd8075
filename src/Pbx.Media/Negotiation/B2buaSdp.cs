using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>
/// SDP passing for a relaying B2BUA. The leg that sends an offer is the "offering leg", the other the "peer leg":
/// <list type="number">
/// <item><see cref="CodecNegotiator.NegotiateOffer"/> on the offering leg's offer (488 if no common codec);</item>
/// <item><see cref="BuildPeerOffer"/> to send to the peer leg;</item>
/// <item><see cref="BuildAnswerForOfferer"/> from the peer's answer, to send back on the offering leg;</item>
/// <item><see cref="PayloadTypeMap.Create"/> for each direction, given to the relay.</item>
/// </list>
/// The same steps serve re-INVITEs from either side.
/// </summary>
public static class B2buaSdp
{
    /// <summary>
    /// The offer for the peer leg: the offering leg's description restricted to allowed formats (offerer's order and
    /// numbers), pointed at our relay endpoints of the peer leg, with our own o= line and without ICE or rtcp-mux.
    /// Directions pass through unchanged so that hold reaches the peer. Streams not accepted get port 0.
    /// </summary>
    public static SessionDescription BuildPeerOffer(OfferNegotiation negotiation, SdpOrigin origin, IReadOnlyList<LocalMediaEndpoint?> peerLegEndpoints)
    {
        var offer = negotiation.Offer.Clone();
        offer.Origin = origin;
        var endpoints = new List<LocalMediaEndpoint?>(offer.Media.Count);
        foreach (var stream in negotiation.Streams)
        {
            var media = offer.Media[stream.MediaIndex];
            var endpoint = stream.MediaIndex < peerLegEndpoints.Count ? peerLegEndpoints[stream.MediaIndex] : null;
            if (stream.IsAccepted && endpoint is not null)
            {
                SdpRewriter.KeepFormats(media, stream.Formats);
                // A 0.0.0.0 hold from the offerer becomes an explicit direction, since the peer sees our address.
                if (stream.OfferedDirection != media.GetEffectiveDirection(negotiation.Offer)) media.SetDirection(stream.OfferedDirection);
                endpoints.Add(endpoint);
            }
            else
            {
                endpoints.Add(null);
            }
        }
        SdpRewriter.RemoveTransportAttributes(offer);
        SdpRewriter.RewriteEndpoints(offer, endpoints);
        return offer;
    }

    /// <summary>
    /// The answer for the offering leg, built from the peer's answer: each of the peer's accepted formats is mapped
    /// by codec identity back to the offering leg's payload type numbers; the peer's direction is kept (it already
    /// mirrors the offer); streams the peer rejected, or that have no endpoint, get port 0.
    /// Returns null when no stream survives, which the caller reports as 488.
    /// </summary>
    public static SessionDescription? BuildAnswerForOfferer(OfferNegotiation negotiation, SessionDescription peerAnswer, SdpOrigin origin,
        IReadOnlyList<LocalMediaEndpoint?> offeringLegEndpoints)
    {
        var answer = new SessionDescription { Origin = origin, SessionName = peerAnswer.SessionName };
        answer.Timings.Add(new SdpTiming());
        var endpoints = new List<LocalMediaEndpoint?>(negotiation.Streams.Count);
        foreach (var stream in negotiation.Streams)
        {
            var index = stream.MediaIndex;
            var peerMedia = index < peerAnswer.Media.Count ? peerAnswer.Media[index] : null;
            var endpoint = index < offeringLegEndpoints.Count ? offeringLegEndpoints[index] : null;
            var formats = stream.IsAccepted && peerMedia is { IsRejected: false } && endpoint is not null
                ? MapPeerFormats(stream, peerMedia)
                : [];
            if (formats.Count == 0)
            {
                answer.Media.Add(OfferAnswer.CreateRejectedMedia(stream.Offered));
                endpoints.Add(null);
                continue;
            }
            var media = new MediaDescription { MediaType = stream.Offered.MediaType, Protocol = stream.Offered.Protocol, Port = peerMedia!.Port };
            OfferAnswer.WriteFormats(media, formats);
            if (peerMedia.Ptime is { } ptime) media.Ptime = ptime;
            if (peerMedia.MaxPtime is { } maxPtime) media.MaxPtime = maxPtime;
            media.SetDirection(HoldDetection.GetEffectiveDirection(peerAnswer, peerMedia));
            answer.Media.Add(media);
            endpoints.Add(endpoint);
        }
        if (endpoints.All(endpoint => endpoint is null)) return null;
        SdpRewriter.RewriteEndpoints(answer, endpoints);
        return answer;
    }

    private static List<NegotiatedFormat> MapPeerFormats(StreamNegotiation stream, MediaDescription peerMedia)
    {
        var formats = new List<NegotiatedFormat>();
        var hasAudioCodec = false;
        foreach (var payloadType in peerMedia.GetPayloadTypes())
        {
            if (!CodecCatalogue.TryResolve(peerMedia, payloadType, out var codec)) continue;
            var offered = stream.Formats.FirstOrDefault(format => format.Codec.SameCodecAs(codec));
            if (offered is null || formats.Contains(offered)) continue;
            var fmtp = codec.IsTelephoneEvent ? peerMedia.GetFmtp(payloadType)?.Parameters ?? offered.Fmtp : offered.Fmtp;
            formats.Add(offered with { Fmtp = fmtp });
            hasAudioCodec |= !codec.IsTelephoneEvent;
        }
        return hasAudioCodec ? formats : [];
    }
}

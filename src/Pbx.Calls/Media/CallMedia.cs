using System.Net;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Sdp;

namespace Pbx.Calls.Media;

/// <summary>
/// The media side of one two-leg call: the relay session anchoring RTP and RTCP, and the SDP offer/answer passing
/// between the legs (each leg only ever sees our relay ports). Leg A is the caller. Not thread-safe: the call's
/// serial queue owns it.
/// </summary>
internal sealed class CallMedia : IAsyncDisposable
{
    private readonly RtpRelaySession _relay;
    private readonly CodecPolicy _policy;
    private readonly LocalSdpOrigin _originA;
    private readonly LocalSdpOrigin _originB;
    private readonly LocalMediaEndpoint _endpointA;
    private readonly LocalMediaEndpoint _endpointB;
    private bool _started;

    private CallMedia(RtpRelaySession relay, IPAddress address, CodecPolicy policy)
    {
        _relay = relay;
        _policy = policy;
        _originA = new LocalSdpOrigin(address);
        _originB = new LocalSdpOrigin(address);
        var (rtpA, rtcpA) = relay.GetLocalPorts(RelayLeg.A);
        var (rtpB, rtcpB) = relay.GetLocalPorts(RelayLeg.B);
        _endpointA = new LocalMediaEndpoint(address, rtpA, rtcpA);
        _endpointB = new LocalMediaEndpoint(address, rtpB, rtcpB);
    }

    /// <summary>True while the last offer put the call on hold (sendonly or inactive from either side).</summary>
    public bool IsOnHold { get; private set; }

    public RtpRelaySession Relay => _relay;

    /// <returns>Null with the reason when no ports are left.</returns>
    public static CallMedia? TryCreate(RtpRelaySessionFactory factory, string name, IPAddress address, CodecPolicy policy, out string? failure)
    {
        var creation = factory.Create(name);
        failure = creation.Reason;
        return creation.Session is { } session ? new CallMedia(session, address, policy) : null;
    }

    /// <summary>
    /// Starts an offer/answer exchange for an offer that arrived on <paramref name="from"/>. Null when no stream has a
    /// codec we share (the offerer gets 488).
    /// </summary>
    public MediaExchange? BeginOffer(RelayLeg from, SessionDescription offer)
    {
        var negotiation = CodecNegotiator.NegotiateOffer(offer, _policy);
        if (!negotiation.HasCommonCodec) return null;
        // One relayed stream per call: the first accepted audio stream; others are declined (port 0).
        var relayed = negotiation.Streams.First(stream => stream.IsAccepted).MediaIndex;
        var peer = Opposite(from);
        var peerOffer = B2buaSdp.BuildPeerOffer(negotiation, Origin(peer).Next(), Endpoints(peer, relayed, offer.Media.Count));
        return new MediaExchange(from, negotiation, relayed, peerOffer);
    }

    /// <summary>
    /// Completes the exchange with the peer's answer: points the relay at both phones, sets payload type rewriting
    /// and returns the answer for the offerer. Null when nothing the peer accepted maps back (488).
    /// </summary>
    public SessionDescription? Complete(MediaExchange exchange, SessionDescription peerAnswer)
    {
        var from = exchange.From;
        var peer = Opposite(from);
        var index = exchange.RelayedIndex;
        var answer = B2buaSdp.BuildAnswerForOfferer(exchange.Negotiation, peerAnswer, Origin(from).Next(),
            Endpoints(from, index, exchange.Negotiation.Offer.Media.Count));
        if (answer is null || index >= peerAnswer.Media.Count || answer.Media[index].IsRejected) return null;

        var offer = exchange.Negotiation.Offer;
        SetRemote(from, offer, offer.Media[index]);
        SetRemote(peer, peerAnswer, peerAnswer.Media[index]);
        _relay.SetPayloadTypeMap(Direction(from), PayloadTypeMap.Create(answer.Media[index], peerAnswer.Media[index]));
        _relay.SetPayloadTypeMap(Direction(peer), PayloadTypeMap.Create(exchange.PeerOffer.Media[index], offer.Media[index]));
        IsOnHold = exchange.Negotiation.Streams.First(s => s.MediaIndex == index).OfferedDirection != MediaDirection.SendRecv
                   || HoldDetection.GetEffectiveDirection(peerAnswer, peerAnswer.Media[index]) != MediaDirection.SendRecv;
        if (_started)
        {
            // A re-INVITE may move a phone; the next packet from each latches again.
            _relay.Relatch(RelayLeg.A);
            _relay.Relatch(RelayLeg.B);
        }
        else
        {
            _started = true;
            _relay.Start();
        }
        return answer;
    }

    /// <summary>How long neither phone has sent RTP (the shorter idle time of the two directions counts as activity).</summary>
    public TimeSpan RtpIdleTime()
    {
        var aToB = _relay.GetRtpIdleTime(RelayDirection.AToB);
        var bToA = _relay.GetRtpIdleTime(RelayDirection.BToA);
        return aToB < bToA ? aToB : bToA;
    }

    public ValueTask DisposeAsync() => _relay.DisposeAsync();

    private void SetRemote(RelayLeg leg, SessionDescription sdp, MediaDescription media)
    {
        if (RemoteMediaEndpoint.TryRead(sdp, media, out var remote)) _relay.SetRemote(leg, remote.Rtp, remote.Rtcp);
        else _relay.SetRemote(leg, null);
    }

    private LocalMediaEndpoint?[] Endpoints(RelayLeg leg, int relayedIndex, int count)
    {
        var endpoints = new LocalMediaEndpoint?[count];
        endpoints[relayedIndex] = leg == RelayLeg.A ? _endpointA : _endpointB;
        return endpoints;
    }

    private LocalSdpOrigin Origin(RelayLeg leg) => leg == RelayLeg.A ? _originA : _originB;

    private static RelayLeg Opposite(RelayLeg leg) => leg == RelayLeg.A ? RelayLeg.B : RelayLeg.A;

    private static RelayDirection Direction(RelayLeg from) => from == RelayLeg.A ? RelayDirection.AToB : RelayDirection.BToA;
}

/// <summary>One offer/answer exchange in progress: the offer, what we negotiated, and the offer we sent on.</summary>
internal sealed record MediaExchange(RelayLeg From, OfferNegotiation Negotiation, int RelayedIndex, SessionDescription PeerOffer)
{
    public string PeerOfferText => SdpSerializer.Serialize(PeerOffer);
}

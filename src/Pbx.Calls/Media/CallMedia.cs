using System.Net;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Codecs;
using Pbx.Media.Endpoint;
using Pbx.Media.Sdp;
using Pbx.Media.Timing;

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
    private readonly MediaTicker _ticker;
    private readonly MusicOnHold _music;
    // Per leg (index 0 = A): the last description we sent it and the last it sent us, with the relayed stream's index.
    private readonly MediaDescription?[] _sent = new MediaDescription?[2];
    private readonly MediaDescription?[] _received = new MediaDescription?[2];
    private readonly bool[] _holding = new bool[2];
    private RelayAudioInjector? _musicOnHold;
    private bool _relayedHold;
    private bool _started;

    private CallMedia(RtpRelaySession relay, IPAddress address, CodecPolicy policy, MediaTicker ticker, MusicOnHold music)
    {
        _relay = relay;
        _policy = policy;
        _ticker = ticker;
        _music = music;
        _originA = new LocalSdpOrigin(address);
        _originB = new LocalSdpOrigin(address);
        var (rtpA, rtcpA) = relay.GetLocalPorts(RelayLeg.A);
        var (rtpB, rtcpB) = relay.GetLocalPorts(RelayLeg.B);
        _endpointA = new LocalMediaEndpoint(address, rtpA, rtcpA);
        _endpointB = new LocalMediaEndpoint(address, rtpB, rtcpB);
    }

    /// <summary>True while either side holds the call (through us or end to end): silence is then expected.</summary>
    public bool IsOnHold => _relayedHold || _holding[0] || _holding[1];

    /// <summary>Whether the phone on <paramref name="leg"/> has put the call on hold with an offer we answered ourselves.</summary>
    public bool IsHolding(RelayLeg leg) => _holding[(int)leg];

    /// <summary>True while the server plays music on hold to one of the legs.</summary>
    public bool IsPlayingMusicOnHold => _musicOnHold is not null;

    public RtpRelaySession Relay => _relay;

    /// <returns>Null with the reason when no ports are left.</returns>
    public static CallMedia? TryCreate(RtpRelaySessionFactory factory, string name, IPAddress address, CodecPolicy policy,
        MediaTicker ticker, MusicOnHold music, out string? failure)
    {
        var creation = factory.Create(name);
        failure = creation.Reason;
        return creation.Session is { } session ? new CallMedia(session, address, policy, ticker, music) : null;
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
        _relayedHold = exchange.Negotiation.Streams.First(s => s.MediaIndex == index).OfferedDirection != MediaDirection.SendRecv
                   || HoldDetection.GetEffectiveDirection(peerAnswer, peerAnswer.Media[index]) != MediaDirection.SendRecv;
        _sent[(int)from] = answer.Media[index];
        _received[(int)from] = offer.Media[index];
        _sent[(int)peer] = exchange.PeerOffer.Media[index];
        _received[(int)peer] = peerAnswer.Media[index];
        WatchDigits();
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

    /// <summary>
    /// Answers an offer from <paramref name="from"/> ourselves, without asking the other leg: hold and resume, where
    /// the PBX, not the other phone, serves the held party. The payload type maps are rebuilt against what the other
    /// leg already agreed to. Null when nothing in the offer is usable (488).
    /// </summary>
    public SessionDescription? AnswerLocally(RelayLeg from, SessionDescription offer)
    {
        var peer = Opposite(from);
        var negotiation = CodecNegotiator.NegotiateOffer(offer, _policy);
        if (!negotiation.HasCommonCodec || _sent[(int)peer] is not { } sentToPeer || _received[(int)peer] is not { } fromPeer) return null;
        var index = negotiation.Streams.First(stream => stream.IsAccepted).MediaIndex;
        var answer = OfferAnswer.CreateAnswer(negotiation, Origin(from).Next(), Endpoints(from, index, offer.Media.Count));
        if (answer is null || answer.Media[index].IsRejected) return null;
        SetRemote(from, offer, offer.Media[index]);
        _sent[(int)from] = answer.Media[index];
        _received[(int)from] = offer.Media[index];
        _relay.SetPayloadTypeMap(Direction(from), PayloadTypeMap.Create(answer.Media[index], fromPeer));
        _relay.SetPayloadTypeMap(Direction(peer), PayloadTypeMap.Create(sentToPeer, offer.Media[index]));
        _relay.Relatch(from);
        WatchDigits();
        return answer;
    }

    /// <summary>Records that <paramref name="holder"/> holds (or resumed) the call; see <see cref="RefreshMusicOnHold"/>.</summary>
    public void SetHolding(RelayLeg holder, bool holding)
    {
        _holding[(int)holder] = holding;
        RefreshMusicOnHold();
    }

    /// <summary>Music on hold plays to the other phone while exactly one side holds; anything else we played stops.</summary>
    public void RefreshMusicOnHold()
    {
        StopMusicOnHold();
        if (_holding[0] == _holding[1]) return;
        PlayTo(_holding[0] ? RelayLeg.B : RelayLeg.A, _music.CreateSource());
    }

    /// <summary>Plays server audio (a tone, an announcement) to one phone instead of what the other sends.</summary>
    public void PlayTo(RelayLeg listener, IAudioSource source)
    {
        StopMusicOnHold();
        if (_received[(int)listener] is { } media && FirstVoiceFormat(media) is { } format)
            _musicOnHold = RelayAudioInjector.Start(_relay, listener, format.Codec, format.PayloadType, source, _ticker);
    }

    /// <summary>Our own offer to the first phone of a call the PBX places (every codec we allow), on <paramref name="side"/>'s ports.</summary>
    public SessionDescription OfferFirst(RelayLeg side) =>
        OfferAnswer.CreateOffer(_policy, Origin(side).Next(), side == RelayLeg.A ? _endpointA : _endpointB);

    /// <summary>The first phone answered our offer: the relay points at it; nothing flows on until the other side exists.</summary>
    public bool CompleteFirst(RelayLeg side, SessionDescription offer, SessionDescription answer)
    {
        if (answer.Media.Count == 0 || answer.Media[0].IsRejected) return false;
        SetRemote(side, answer, answer.Media[0]);
        _sent[(int)side] = offer.Media[0];
        _received[(int)side] = answer.Media[0];
        Begin();
        return true;
    }

    /// <summary>Answers the first phone's offer ourselves (the PBX takes the call before it knows where it goes).</summary>
    public SessionDescription? AnswerFirst(RelayLeg side, SessionDescription offer)
    {
        var negotiation = CodecNegotiator.NegotiateOffer(offer, _policy);
        if (!negotiation.HasCommonCodec) return null;
        var index = negotiation.Streams.First(stream => stream.IsAccepted).MediaIndex;
        var answer = OfferAnswer.CreateAnswer(negotiation, Origin(side).Next(), Endpoints(side, index, offer.Media.Count));
        if (answer is null || answer.Media[index].IsRejected) return null;
        SetRemote(side, offer, offer.Media[index]);
        _sent[(int)side] = answer.Media[index];
        _received[(int)side] = offer.Media[index];
        Begin();
        return answer;
    }

    private void Begin()
    {
        WatchDigits();
        if (_started) return;
        _started = true;
        _relay.Start();
    }

    /// <summary>
    /// An offer for a new phone taking over <paramref name="side"/> (transfer target, or a party moved in from another
    /// call): our relay ports of that side, and only the codec the other phone already uses, since the relay does not
    /// transcode. Null before the other side has agreed to anything.
    /// </summary>
    public SessionDescription? OfferForNewPhone(RelayLeg side)
    {
        if (_received[(int)Opposite(side)] is not { } other || FirstVoiceFormat(other) is not { } format) return null;
        var hasEvents = other.GetPayloadTypes().Any(pt => CodecCatalogue.TryResolve(other, pt, out var codec) && codec.IsTelephoneEvent);
        var policy = new CodecPolicy([format.Codec], hasEvents, _policy.TelephoneEventPayloadType);
        var endpoint = side == RelayLeg.A ? _endpointA : _endpointB;
        return OfferAnswer.CreateOffer(policy, Origin(side).Next(), endpoint);
    }

    /// <summary>Points <paramref name="side"/> of the relay at the new phone that answered <paramref name="offer"/>.</summary>
    public bool CompleteNewPhone(RelayLeg side, SessionDescription offer, SessionDescription answer)
    {
        var other = Opposite(side);
        if (answer.Media.Count == 0 || answer.Media[0].IsRejected || _sent[(int)other] is not { } sentToOther || _received[(int)other] is not { } fromOther)
            return false;
        SetRemote(side, answer, answer.Media[0]);
        _sent[(int)side] = offer.Media[0];
        _received[(int)side] = answer.Media[0];
        _holding[(int)side] = false;
        _relay.SetPayloadTypeMap(Direction(side), PayloadTypeMap.Create(offer.Media[0], fromOther));
        _relay.SetPayloadTypeMap(Direction(other), PayloadTypeMap.Create(sentToOther, answer.Media[0]));
        _relay.Relatch(side);
        WatchDigits();
        RefreshMusicOnHold();
        return true;
    }

    /// <summary>
    /// The PBX itself becomes the far end of <paramref name="side"/> (conference, PIN prompt) on the ports and codec
    /// that phone already uses; the relay stops forwarding between the legs. Null when its codec cannot be decoded.
    /// </summary>
    public RelayLegAudioPort? ServeLocally(RelayLeg side)
    {
        StopMusicOnHold();
        if (_received[(int)side] is not { } fromPhone || _sent[(int)side] is not { } toPhone || FirstVoiceFormat(fromPhone) is not { } format)
            return null;
        // The phone sends with the numbers of the description we gave it, and hears ours with its own.
        var receivePayloadType = format.PayloadType;
        var eventPayloadType = -1;
        foreach (var pt in toPhone.GetPayloadTypes())
        {
            if (!CodecCatalogue.TryResolve(toPhone, pt, out var codec)) continue;
            if (codec.IsTelephoneEvent) eventPayloadType = pt;
            else if (codec.SameCodecAs(format.Codec)) receivePayloadType = (byte)pt;
        }
        return RelayLegAudioPort.Start(_relay, side, _ticker, format.Codec, format.PayloadType, receivePayloadType, eventPayloadType);
    }

    /// <summary>
    /// Answers a new offer (hold, refresh) from a phone the PBX serves itself: same ports, and only the codec it
    /// already uses, since its <see cref="RelayLegAudioPort"/> stays. Null when the offer lacks that codec (488).
    /// </summary>
    public SessionDescription? AnswerServedPhone(RelayLeg side, SessionDescription offer)
    {
        if (_received[(int)side] is not { } current || FirstVoiceFormat(current) is not { } format) return null;
        var hasEvents = _sent[(int)side] is { } sent && sent.GetPayloadTypes().Any(pt => CodecCatalogue.TryResolve(sent, pt, out var codec) && codec.IsTelephoneEvent);
        var negotiation = CodecNegotiator.NegotiateOffer(offer, new CodecPolicy([format.Codec], hasEvents, _policy.TelephoneEventPayloadType));
        if (!negotiation.HasCommonCodec) return null;
        var index = negotiation.Streams.First(stream => stream.IsAccepted).MediaIndex;
        var answer = OfferAnswer.CreateAnswer(negotiation, Origin(side).Next(), Endpoints(side, index, offer.Media.Count));
        if (answer is null || answer.Media[index].IsRejected) return null;
        SetRemote(side, offer, offer.Media[index]);
        _relay.Relatch(side);
        return answer;
    }

    /// <summary>A phone sends RFC 4733 events with the payload type of the description we gave it (RFC 3264 §5.1).</summary>
    private void WatchDigits()
    {
        foreach (var leg in (RelayLeg[])[RelayLeg.A, RelayLeg.B])
        {
            var payloadType = -1;
            if (_sent[(int)leg] is { } media)
                foreach (var pt in media.GetPayloadTypes())
                    if (CodecCatalogue.TryResolve(media, pt, out var codec) && codec.IsTelephoneEvent) payloadType = pt;
            _relay.SetTelephoneEventPayloadType(leg, payloadType);
        }
    }

    private void StopMusicOnHold()
    {
        _musicOnHold?.Dispose();
        _musicOnHold = null;
    }

    private static (AudioCodec Codec, byte PayloadType)? FirstVoiceFormat(MediaDescription media)
    {
        foreach (var payloadType in media.GetPayloadTypes())
        {
            if (CodecCatalogue.TryResolve(media, payloadType, out var codec) && !codec.IsTelephoneEvent && VoiceCodec.IsSupported(codec))
                return (codec, (byte)payloadType);
        }
        return null;
    }

    /// <summary>How long neither phone has sent RTP (the shorter idle time of the two directions counts as activity).</summary>
    public TimeSpan RtpIdleTime()
    {
        var aToB = _relay.GetRtpIdleTime(RelayDirection.AToB);
        var bToA = _relay.GetRtpIdleTime(RelayDirection.BToA);
        return aToB < bToA ? aToB : bToA;
    }

    public ValueTask DisposeAsync()
    {
        StopMusicOnHold();
        return _relay.DisposeAsync();
    }

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

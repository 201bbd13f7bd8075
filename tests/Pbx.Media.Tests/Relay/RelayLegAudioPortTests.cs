using Pbx.Media.Codecs;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Tests.Mixing;
using Pbx.Media.Timing;

namespace Pbx.Media.Tests.Relay;

/// <summary>A relay leg served by the PBX itself: what the phone sends reaches the conference, and the mix reaches the phone.</summary>
public sealed class RelayLegAudioPortTests
{
    [Fact]
    public async Task A_phone_on_a_served_relay_leg_talks_with_a_conference_participant_both_ways()
    {
        await using var harness = new RelayHarness();
        using var ticker = new MediaTicker();
        using var mixer = new ConferenceMixer(ticker, new ConferenceMixerOptions { PlayJoinLeaveTones = false });
        var room = mixer.CreateRoom("test");
        using var port = RelayLegAudioPort.Start(harness.Session, RelayLeg.A, ticker, AudioCodec.Pcmu, sendPayloadType: 0, receivePayloadType: 0, telephoneEventPayloadType: 101);
        Assert.NotNull(port);
        var other = new SyntheticPort(8000, 1000, 8000);
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(port!, out _));
        Assert.Equal(ConferenceJoinResult.Joined, room.Join(other, out _));
        ticker.Start();

        // Phone A talks: a loud µ-law square wave, one packet per 20 ms.
        var loud = new byte[160];
        for (var i = 0; i < loud.Length; i++) loud[i] = MuLaw.Encode((short)(i % 20 < 10 ? 12000 : -12000));
        var heardByPhone = new List<byte[]>();
        for (ushort sequence = 1; sequence <= 40; sequence++)
        {
            var packet = RelayHarness.RtpPacket(sequence, payloadType: 0);
            loud.CopyTo(packet.AsSpan(RtpHeader.FixedHeaderSize));
            await harness.PhoneA.Rtp.SendToAsync(packet, harness.RelayRtp(RelayLeg.A));
            if (await FakePhone.ReceiveAsync(harness.PhoneA.Rtp, TimeSpan.FromMilliseconds(100)) is { } received) heardByPhone.Add(received.Data);
            await Task.Delay(20);
        }

        Assert.Contains(other.Heard, sample => Math.Abs((int)sample) > 4000);
        Assert.NotEmpty(heardByPhone);
        Assert.All(heardByPhone, data => Assert.True(RtpHeader.TryRead(data, out var h) && h.PayloadType == 0));
        // The synthetic participant's 1000 Hz tone, µ-law coded: not all silence (0xFF/0x7F).
        Assert.Contains(heardByPhone, data => data.AsSpan(RtpHeader.FixedHeaderSize).IndexOfAnyExcept((byte)0xFF, (byte)0x7F) >= 0);
        // Nothing the phone sent went on to leg B.
        Assert.Equal(0, harness.Session.GetStatistics().RtpAToB.PacketsRelayed);
    }
}

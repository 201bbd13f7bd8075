using System.Collections.Concurrent;
using Pbx.Media.Endpoint;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Rtp;
using Pbx.Media.Timing;
using Pbx.Media.Tones;

namespace Pbx.Media.Tests.Relay;

/// <summary>The relay as the B2BUA's voice: music on hold and tones from a leg's own port, and DTMF reported as it passes.</summary>
public sealed class RelayInjectionAndDigitTests
{
    [Fact]
    public async Task Injected_audio_reaches_the_phone_from_its_relay_port_while_the_other_phones_packets_to_it_are_held_back()
    {
        await using var harness = new RelayHarness();
        using var ticker = new MediaTicker();
        ticker.Start();
        using var injector = RelayAudioInjector.Start(harness.Session, RelayLeg.B, AudioCodec.Pcmu, 0,
            new ToneAudioSource(TonePlan.Germany[ToneKind.Ringback], 8000), ticker);
        Assert.NotNull(injector);

        // What phone A sends now is not forwarded to B (the server plays instead), but it still counts as activity.
        await harness.PhoneA.Rtp.SendToAsync(RelayHarness.RtpPacket(1, fill: 0xA1), harness.RelayRtp(RelayLeg.A));
        var received = new List<byte[]>();
        for (var i = 0; i < 10; i++)
        {
            var packet = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
            Assert.NotNull(packet);
            Assert.Equal(harness.RelayRtp(RelayLeg.B), packet.Value.From);
            received.Add(packet.Value.Data);
        }

        Assert.All(received, data => Assert.True(RtpHeader.TryRead(data, out var header) && header.PayloadType == 0 && header.PayloadLength == 160));
        Assert.DoesNotContain(received, data => data.AsSpan(RtpHeader.FixedHeaderSize).IndexOfAnyExcept((byte)0xA1) < 0);
        var headers = received.Select(data => { RtpHeader.TryRead(data, out var h); return h; }).ToList();
        Assert.Single(headers.Select(h => h.Ssrc).Distinct());
        Assert.Equal(Enumerable.Range(0, headers.Count).Select(i => (ushort)(headers[0].SequenceNumber + i)), headers.Select(h => h.SequenceNumber));
        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpAToB.PacketsReceived == 1));
        Assert.Equal(0, harness.Session.GetStatistics().RtpAToB.PacketsRelayed);

        // Stopping the injection lets the phones talk again (what the ticker already sent is drained first).
        injector!.Dispose();
        for (var drained = 0; drained < 500 && await FakePhone.ReceiveAsync(harness.PhoneB.Rtp, TimeSpan.FromMilliseconds(200)) is not null; drained++) { }
        var again = RelayHarness.RtpPacket(2, fill: 0xA2);
        await harness.PhoneA.Rtp.SendToAsync(again, harness.RelayRtp(RelayLeg.A));
        var relayed = await FakePhone.ReceiveAsync(harness.PhoneB.Rtp);
        Assert.True(relayed is { } r && r.Data.SequenceEqual(again), $"after the injection stopped: {harness.Session.GetStatistics().RtpAToB}");
    }

    [Fact]
    public async Task A_telephone_event_passing_the_relay_is_reported_once_per_key_press()
    {
        await using var harness = new RelayHarness();
        var digits = new ConcurrentQueue<(RelayLeg, char)>();
        harness.Session.DigitReceived += (leg, digit) => digits.Enqueue((leg, digit));
        harness.Session.SetTelephoneEventPayloadType(RelayLeg.A, 101);

        // RFC 4733: three packets of one event share its timestamp (start, continuation, end sent three times).
        foreach (var (sequence, end) in new[] { (10, false), (11, false), (12, true), (13, true), (14, true) })
            await harness.PhoneA.Rtp.SendToAsync(EventPacket((ushort)sequence, timestamp: 8000, code: 5, end), harness.RelayRtp(RelayLeg.A));
        await harness.PhoneA.Rtp.SendToAsync(EventPacket(15, timestamp: 9600, code: 11, end: true), harness.RelayRtp(RelayLeg.A));

        Assert.True(await RelayHarness.WaitUntilAsync(() => digits.Count >= 2));
        await Task.Delay(100);
        Assert.Equal([(RelayLeg.A, '5'), (RelayLeg.A, '#')], digits.ToArray());
        // The events are still relayed to the other phone.
        Assert.True(await RelayHarness.WaitUntilAsync(() => harness.Session.GetStatistics().RtpAToB.PacketsRelayed == 6));
    }

    private static byte[] EventPacket(ushort sequence, uint timestamp, byte code, bool end)
    {
        var packet = new byte[RtpHeader.FixedHeaderSize + TelephoneEvent.Size];
        RtpHeaderWriter.TryWrite(packet, new RtpHeaderFields(101, sequence, timestamp, 0x4242, sequence == 10), out _);
        new TelephoneEvent(code, end, 10, 800).TryWrite(packet.AsSpan(RtpHeader.FixedHeaderSize));
        return packet;
    }
}

using System.Net;
using Pbx.Media.Mixing;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Timing;

namespace Pbx.Bench.Mixer;

/// <summary>
/// N conference participants as the daemon serves them: one relay session per phone, its leg A taken over by a
/// <see cref="RelayLegAudioPort"/> (jitter buffer in, mix out of the same socket), rooms of one mixer on one system-clock
/// ticker. Leg B of each session stays idle, as for a call moved into a conference.
/// </summary>
internal static class ConferenceLevel
{
    public static async Task<LevelResult> RunAsync(int participants, int roomSize, BenchSettings settings)
    {
        const string mode = "conference";
        var factory = new RtpRelaySessionFactory(SocketBench.CreateAllocator());
        var sessions = new List<RtpRelaySession>(participants);
        var ports = new List<RelayLegAudioPort>(participants);
        using var phones = new PhoneFleet(participants, settings.PhoneThreads);
        var ticker = new MediaTicker();
        var probe = new DeadlineProbe(ticker);
        ticker.Add(probe.StartStamp);
        var mixer = new ConferenceMixer(ticker, new ConferenceMixerOptions { PlayJoinLeaveTones = false, MaxParticipantsPerRoom = roomSize });
        try
        {
            ConferenceRoom? room = null;
            for (var i = 0; i < participants; i++)
            {
                var creation = factory.Create($"conf-{i}");
                if (creation.Session is not { } session) return LevelResult.Failed(mode, participants, $"session {i}: {creation.Status} {creation.Reason}");
                sessions.Add(session);
                session.SetRemote(RelayLeg.A, phones.EndPointOf(i));
                session.Start();
                var port = RelayLegAudioPort.Start(session, RelayLeg.A, ticker, AudioCodec.Pcmu, sendPayloadType: 0, receivePayloadType: 0, telephoneEventPayloadType: 101)
                    ?? throw new InvalidOperationException("PCMU not supported by RelayLegAudioPort");
                ports.Add(port);
                if (i % roomSize == 0) room = mixer.CreateRoom($"room-{i / roomSize}");
                if (room!.Join(port, out _) != ConferenceJoinResult.Joined) return LevelResult.Failed(mode, participants, $"join {i} refused");
                phones.SetTarget(i, new IPEndPoint(IPAddress.Loopback, session.GetLocalPorts(RelayLeg.A).RtpPort));
            }
            // Last, so the probe sees the end of the whole tick: mixer, then every port's (idle) own handler.
            ticker.Add(probe);
            ticker.Start();
            phones.Start(LevelWindow.PhoneHardStop(settings.Seconds));
            return LevelWindow.Measure(mode, phones, settings.Seconds,
                () => sessions.Sum(s => s.GetStatistics().RtpAToB.PacketsReceived),
                () => new TickCounters(probe.Missed, ticker.LateTicks, ticker.SkippedTicks, mixer.OverBudgetTicks),
                () => probe.WorstMilliseconds,
                () => probe.WorstMilliseconds = 0);
        }
        finally
        {
            phones.Stop();
            // Mixer and ports leave the ticker before it is stopped: an overloaded ticker never catching up would not
            // see its stop signal (see README). Ports left by the mixer would tick on their own, so they go too.
            mixer.Dispose();
            foreach (var port in ports) port.Dispose();
            ticker.Dispose();
            await Task.WhenAll(sessions.Select(s => s.StopAsync()));
        }
    }
}

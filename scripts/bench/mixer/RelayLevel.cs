using System.Net;
using Pbx.Media.Relay;

namespace Pbx.Bench.Mixer;

/// <summary>
/// The plain relay at the same number of legs: N/2 two-leg sessions, a phone on each leg sending and draining, the
/// relay forwarding A→B and B→A unchanged. No port, no mixer, no clock.
/// </summary>
internal static class RelayLevel
{
    public static async Task<LevelResult> RunAsync(int legs, BenchSettings settings)
    {
        const string mode = "relay";
        var calls = legs / 2;
        var factory = new RtpRelaySessionFactory(SocketBench.CreateAllocator());
        var sessions = new List<RtpRelaySession>(calls);
        using var phones = new PhoneFleet(calls * 2, settings.PhoneThreads);
        try
        {
            for (var i = 0; i < calls; i++)
            {
                var creation = factory.Create($"call-{i}");
                if (creation.Session is not { } session) return LevelResult.Failed(mode, calls * 2, $"session {i}: {creation.Status} {creation.Reason}");
                sessions.Add(session);
                session.SetRemote(RelayLeg.A, phones.EndPointOf(2 * i));
                session.SetRemote(RelayLeg.B, phones.EndPointOf((2 * i) + 1));
                session.Start();
                phones.SetTarget(2 * i, new IPEndPoint(IPAddress.Loopback, session.GetLocalPorts(RelayLeg.A).RtpPort));
                phones.SetTarget((2 * i) + 1, new IPEndPoint(IPAddress.Loopback, session.GetLocalPorts(RelayLeg.B).RtpPort));
            }
            phones.Start(LevelWindow.PhoneHardStop(settings.Seconds));
            return LevelWindow.Measure(mode, phones, settings.Seconds,
                () => sessions.Sum(s => s.GetStatistics() is var statistics ? statistics.RtpAToB.PacketsReceived + statistics.RtpBToA.PacketsReceived : 0),
                () => default,
                () => 0,
                () => { });
        }
        finally
        {
            phones.Stop();
            await Task.WhenAll(sessions.Select(s => s.StopAsync()));
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests;

/// <summary>Every RFC 4475 torture message sent to the running daemon: it answers sanely or drops, and keeps working.</summary>
public sealed class SipTortureTests
{
    [Fact]
    public async Task The_daemon_survives_every_torture_message_and_still_answers()
    {
        await using var daemon = DaemonProcess.Create();
        await daemon.StartAndWaitReadyAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, daemon.SipPort);
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Rfc4475"), "*.dat").Order().ToList();
        Assert.Equal(49, files.Count);

        var answers = new List<string>();
        foreach (var file in files)
        {
            await socket.SendToAsync(await File.ReadAllBytesAsync(file), server);
            answers.AddRange(await DrainAsync(socket, TimeSpan.FromMilliseconds(150)));
        }

        Assert.All(answers, answer => Assert.Matches(@"^SIP/2\.0 [1-6]\d\d ", answer));
        Assert.DoesNotContain(answers, a => a.StartsWith("SIP/2.0 500 ", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.StartsWith("SIP/2.0 400 ", StringComparison.Ordinal));

        var options = Encoding.ASCII.GetBytes(
            "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-alive-1;rport\r\nMax-Forwards: 70\r\n" +
            "From: <sip:probe@127.0.0.1>;tag=alive\r\nTo: <sip:127.0.0.1>\r\nCall-ID: alive-check\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        await socket.SendToAsync(options, server);
        var alive = await DrainAsync(socket, TimeSpan.FromSeconds(3), stopAfterFirst: true);
        Assert.StartsWith("SIP/2.0 200 ", Assert.Single(alive));
        Assert.False(daemon.Process.HasExited);
        Assert.DoesNotContain(daemon.Output.Split('\n'), line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal));
    }

    private static async Task<List<string>> DrainAsync(Socket socket, TimeSpan quiet, bool stopAfterFirst = false)
    {
        var received = new List<string>();
        var buffer = new byte[65536];
        while (true)
        {
            using var timeout = new CancellationTokenSource(quiet);
            try
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                received.Add(Encoding.UTF8.GetString(buffer, 0, length));
                if (stopAfterFirst) return received;
            }
            catch (OperationCanceledException) { return received; }
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.Sockets;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Transports;

/// <summary>Real sockets on loopback only; every wait is bounded.</summary>
public class SocketTransportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private sealed class Inbox : ISipReceiver
    {
        public BlockingCollection<(string Text, SipFlow Flow)> Items { get; } = new();

        public void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source) =>
            Items.Add((System.Text.Encoding.UTF8.GetString(message.Span), source));

        public (string Text, SipFlow Flow) Next()
        {
            Assert.True(Items.TryTake(out var item, Wait), "nothing received in time");
            return item;
        }
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Udp_receive_loop_survives_garbage(string address)
    {
        var inbox = new Inbox();
        await using var transport = new UdpSipTransport(new IPEndPoint(IPAddress.Parse(address), 0), inbox);
        transport.Start();
        using var client = new UdpClient(transport.LocalEndPoint.AddressFamily);
        await client.SendAsync(new byte[] { 0, 1, 2, 255 }, transport.LocalEndPoint);
        await client.SendAsync(new byte[70_000 / 2], transport.LocalEndPoint);
        await client.SendAsync(Crlf(Register), transport.LocalEndPoint);
        // Several receive loops share the socket, so datagrams may be handed up in any order (as UDP allows anyway).
        var texts = new[] { inbox.Next(), inbox.Next(), inbox.Next() };
        var register = Assert.Single(texts, t => t.Text.StartsWith("REGISTER", StringComparison.Ordinal));
        Assert.Equal(SipTransportKind.Udp, register.Flow.Transport);
        Assert.Equal(((IPEndPoint)client.Client.LocalEndPoint!).Port, register.Flow.Remote.Port);
    }

    [Fact]
    public async Task Transaction_layers_talk_over_udp_on_loopback()
    {
        var phoneUser = new RecordingUser();
        var pbxUser = new RecordingUser { Answer = tx => tx.SendResponse(200, "OK", "pbx") };
        var phoneRelay = new Relay();
        var phoneSet = new SipTransportSet();
        var pbxSet = new SipTransportSet();
        using var phone = new SipTransactionLayer(phoneSet, phoneUser);
        using var pbx = new SipTransactionLayer(pbxSet, pbxUser);
        phoneRelay.Target = phone;
        await using var phoneUdp = new UdpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), phoneRelay);
        await using var pbxUdp = new UdpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), pbx);
        phoneSet.Add(phoneUdp);
        pbxSet.Add(pbxUdp);
        phoneUdp.Start();
        pbxUdp.Start();

        var request = TestStack.Request("OPTIONS", "z9hG4bKudp1").AsSpan().ToArray();
        var text = Text(request).Replace("192.0.2.10:5062", $"127.0.0.1:{phoneUdp.LocalEndPoint.Port}", StringComparison.Ordinal);
        var tx = phone.SendRequest(System.Text.Encoding.UTF8.GetBytes(text), new SipFlow(SipTransportKind.Udp, pbxUdp.LocalEndPoint));
        var deadline = DateTime.UtcNow + Wait;
        while (phoneRelay.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        lock (phoneUser) Assert.Equal(200, Assert.Single(phoneUser.Responses).Status);
        Assert.Equal(TransactionState.Completed, tx.State);
    }

    private sealed class Relay : ISipReceiver
    {
        private int _count;
        public ISipReceiver? Target { get; set; }
        public int Count => Volatile.Read(ref _count);

        public void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source)
        {
            lock (this) Target?.OnMessageReceived(message, source);
            Interlocked.Increment(ref _count);
        }
    }

    [Fact]
    public async Task Tcp_reuses_the_connection_for_the_answer()
    {
        var inboxA = new Inbox();
        var inboxB = new Inbox();
        await using var a = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inboxA);
        await using var b = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inboxB);
        a.Start();
        b.Start();

        await a.SendAsync(new SipFlow(SipTransportKind.Tcp, b.LocalEndPoint), Crlf(Register));
        var (text, flow) = inboxB.Next();
        Assert.StartsWith("REGISTER", text, StringComparison.Ordinal);
        Assert.NotEqual(0, flow.ConnectionId);

        await b.SendAsync(flow, Crlf(Invite));
        var (answer, back) = inboxA.Next();
        Assert.StartsWith("INVITE", answer, StringComparison.Ordinal);
        Assert.Equal(1, a.ConnectionCount);
        Assert.Equal(1, b.ConnectionCount);
        Assert.Equal(b.LocalEndPoint, back.Remote);
    }

    [Fact]
    public async Task Tcp_frames_split_writes_answers_crlf_ping_and_survives_bad_connections()
    {
        var inbox = new Inbox();
        await using var server = new TcpSipTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0), inbox);
        server.Start();

        using (var bad = new TcpClient(AddressFamily.InterNetworkV6))
        {
            await bad.ConnectAsync(server.LocalEndPoint);
            await bad.GetStream().WriteAsync(Crlf(Invite.Replace("Content-Length: 149", "Content-Length: -1")));
            var buffer = new byte[16];
            using var cts = new CancellationTokenSource(Wait);
            Assert.Equal(0, await bad.GetStream().ReadAsync(buffer, cts.Token)); // closed by the server
        }

        using var client = new TcpClient(AddressFamily.InterNetworkV6);
        await client.ConnectAsync(server.LocalEndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync("\r\n\r\n"u8.ToArray());
        var pong = new byte[2];
        using (var cts = new CancellationTokenSource(Wait)) await stream.ReadExactlyAsync(pong, cts.Token);
        Assert.Equal("\r\n"u8.ToArray(), pong);

        var message = Crlf(Invite);
        for (int i = 0; i < message.Length; i += 97)
        {
            await stream.WriteAsync(message.AsMemory(i, Math.Min(97, message.Length - i)));
            await stream.FlushAsync();
            await Task.Delay(1);
        }
        var (text, flow) = inbox.Next();
        Assert.Equal(Text(message), text);
        Assert.Equal(SipTransportKind.Tcp, flow.Transport);
        Assert.Equal(IPAddress.IPv6Loopback, flow.Remote.Address);
    }

    [Fact]
    public async Task Tcp_closes_idle_connections_and_refuses_beyond_the_limit()
    {
        var clock = new ManualTimeProvider();
        var options = new TcpTransportOptions { IdleTimeout = TimeSpan.FromMinutes(2), MaxConnections = 1 };
        await using var server = new TcpSipTransport(new IPEndPoint(IPAddress.Loopback, 0), new Inbox(), options, clock);
        server.Start();

        using var first = new TcpClient();
        await first.ConnectAsync(server.LocalEndPoint);
        var deadline = DateTime.UtcNow + Wait;
        while (server.ConnectionCount == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(1, server.ConnectionCount);

        using var second = new TcpClient();
        await second.ConnectAsync(server.LocalEndPoint);
        using (var cts = new CancellationTokenSource(Wait))
        {
            Assert.Equal(0, await second.GetStream().ReadAsync(new byte[1], cts.Token)); // over the limit: closed at once
        }

        clock.Advance(TimeSpan.FromMinutes(3));
        using (var cts = new CancellationTokenSource(Wait))
        {
            Assert.Equal(0, await first.GetStream().ReadAsync(new byte[1], cts.Token)); // idle: swept
        }
        deadline = DateTime.UtcNow + Wait;
        while (server.ConnectionCount > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(0, server.ConnectionCount);
    }
}

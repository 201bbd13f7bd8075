using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.Sockets;
using static Pbx.Sip.Tests.Helpers.TestMessages;
using static Pbx.Sip.Tests.Transports.TransportTestKit;

namespace Pbx.Sip.Tests.Transports;

/// <summary>SIP over TLS on loopback with a certificate made in the test; every wait is bounded.</summary>
public sealed class TlsTransportTests : IDisposable
{
    private readonly X509Certificate2 _certificate = CreateServerCertificate();

    public void Dispose() => _certificate.Dispose();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Register_split_across_writes_arrives_whole_and_the_answer_uses_the_same_connection(string address)
    {
        var inbox = new TransportInbox();
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Parse(address), 0), _certificate, inbox);
        server.Start();
        var (tcp, tls) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        using var _ = tcp;
        await using var __ = tls;

        var register = Crlf(Register);
        for (int i = 0; i < register.Length; i += 50)
        {
            await tls.WriteAsync(register.AsMemory(i, Math.Min(50, register.Length - i)));
            await tls.FlushAsync();
            await Task.Delay(2);
        }
        var (text, flow) = await inbox.NextAsync();
        Assert.Equal(Text(register), text);
        Assert.Equal(SipTransportKind.Tls, flow.Transport);
        Assert.True(flow.IsReliable);
        Assert.NotEqual(0, flow.ConnectionId);
        Assert.Equal(((IPEndPoint)tcp.Client.LocalEndPoint!).Port, flow.Remote.Port);
        Assert.Equal(IPAddress.Parse(address), flow.Remote.Address);
        Assert.Equal(1, server.ConnectionCount);

        var answer = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        await server.SendAsync(flow, answer);
        var received = new byte[answer.Length];
        using (var cts = new CancellationTokenSource(Wait)) await tls.ReadExactlyAsync(received, cts.Token);
        Assert.Equal(answer, received);
    }

    [Fact]
    public async Task Crlf_ping_gets_a_crlf_pong()
    {
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, new TransportInbox());
        server.Start();
        var (tcp, tls) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        using var _ = tcp;
        await using var __ = tls;

        await tls.WriteAsync("\r\n\r\n"u8.ToArray());
        await tls.FlushAsync();
        var pong = new byte[2];
        using var cts = new CancellationTokenSource(Wait);
        await tls.ReadExactlyAsync(pong, cts.Token);
        Assert.Equal("\r\n"u8.ToArray(), pong);
    }

    [Fact]
    public async Task Garbage_and_oversized_messages_close_only_their_own_connection()
    {
        var inbox = new TransportInbox();
        var options = new TlsTransportOptions { Parse = new SipParseOptions { MaxMessageSize = 4096 } };
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, inbox, options);
        server.Start();
        var (goodTcp, good) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        using var _ = goodTcp;
        await using var __ = good;

        byte[][] hostile =
        [
            Crlf(Invite.Replace("Content-Length: 149", "Content-Length: -1")),                 // unframeable
            Crlf(Register.Replace("Content-Length: 0", "Content-Length: 100000")),              // declared body over the limit
            System.Text.Encoding.ASCII.GetBytes("REGISTER sip:x SIP/2.0\r\n" + new string('A', 5000)), // endless header section
        ];
        foreach (var bytes in hostile)
        {
            var (badTcp, bad) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
            using (badTcp)
            await using (bad)
            {
                await bad.WriteAsync(bytes);
                await bad.FlushAsync();
                Assert.True(await ClosedByPeerAsync(bad), "the server kept a connection that sent hostile bytes");
            }
        }
        Assert.Equal(0, inbox.Count);

        await good.WriteAsync(Crlf(Register));
        var (text, flow) = await inbox.NextAsync();
        Assert.StartsWith("REGISTER", text, StringComparison.Ordinal);
        Assert.Equal(SipTransportKind.Tls, flow.Transport);
        await WaitUntilAsync(() => server.ConnectionCount == 1);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Client_that_never_handshakes_is_dropped_after_the_timeout_while_others_work()
    {
        var inbox = new TransportInbox();
        var options = new TlsTransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(2) };
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, inbox, options);
        server.Start();

        using var silent = new TcpClient();
        var clock = Stopwatch.StartNew();
        await silent.ConnectAsync(server.LocalEndPoint);
        using var plaintext = new TcpClient();
        await plaintext.ConnectAsync(server.LocalEndPoint);
        await plaintext.GetStream().WriteAsync(Crlf(Register)); // SIP without TLS on the TLS port

        var (tcp, tls) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        using var _ = tcp;
        await using var __ = tls;
        await tls.WriteAsync(Crlf(Register));
        Assert.StartsWith("REGISTER", (await inbox.NextAsync()).Text, StringComparison.Ordinal);

        Assert.True(await ClosedByPeerAsync(plaintext.GetStream()), "plaintext client was not dropped");
        Assert.True(await ClosedByPeerAsync(silent.GetStream()), "silent client was not dropped");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.8), $"dropped after {clock.Elapsed}, before the handshake timeout");

        await tls.WriteAsync(Crlf(Register)); // the good client is untouched
        Assert.StartsWith("REGISTER", (await inbox.NextAsync()).Text, StringComparison.Ordinal);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_and_handshakes_count()
    {
        var options = new TlsTransportOptions { MaxConnections = 1 };
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, new TransportInbox(), options);
        server.Start();
        using var first = new TcpClient(); // holds the only slot without ever handshaking
        await first.ConnectAsync(server.LocalEndPoint);
        await Task.Delay(100);

        using var second = new TcpClient();
        await second.ConnectAsync(server.LocalEndPoint);
        Assert.True(await ClosedByPeerAsync(second.GetStream()), "second connection was not refused");
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task Sending_without_a_live_connection_fails_cleanly()
    {
        var inbox = new TransportInbox();
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, inbox);
        server.Start();
        var nowhere = new SipFlow(SipTransportKind.Tls, new IPEndPoint(IPAddress.Loopback, 9), 12345);
        var error = await Assert.ThrowsAsync<SipConnectionUnavailableException>(async () => await server.SendAsync(nowhere, Crlf(Register)));
        Assert.Equal(nowhere, error.Destination);

        var (tcp, tls) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        await tls.WriteAsync(Crlf(Register));
        var flow = (await inbox.NextAsync()).Flow;
        await tls.DisposeAsync();
        tcp.Dispose();
        await WaitUntilAsync(() => server.ConnectionCount == 0);
        await Assert.ThrowsAsync<SipConnectionUnavailableException>(async () => await server.SendAsync(flow, Crlf(Register)));
    }

    [Fact]
    public async Task Transaction_layer_answers_over_the_phones_tls_connection()
    {
        var pbxUser = new RecordingUser { Answer = tx => tx.SendResponse(200, "OK", "pbx") };
        var set = new SipTransportSet();
        using var layer = new SipTransactionLayer(set, pbxUser);
        await using var server = new TlsSipTransport(new IPEndPoint(IPAddress.Loopback, 0), _certificate, layer);
        set.Add(server);
        server.Start();
        var (tcp, tls) = await ConnectTlsAsync(server.LocalEndPoint, _certificate);
        using var _ = tcp;
        await using var __ = tls;

        await tls.WriteAsync(Crlf(Text(TestStack.Request("OPTIONS", "z9hG4bKtls1")).Replace("SIP/2.0/UDP", "SIP/2.0/TLS", StringComparison.Ordinal)));
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(Wait);
        int read = await tls.ReadAsync(buffer, cts.Token);
        var response = TestMessages.ParseOk(buffer[..read]);
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("z9hG4bKtls1", Str(response.TopVia.Branch), StringComparison.Ordinal);
    }
}

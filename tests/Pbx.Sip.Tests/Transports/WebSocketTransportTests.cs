using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;
using Pbx.Sip.Transports.WebSockets;
using static Pbx.Sip.Tests.Helpers.TestMessages;
using static Pbx.Sip.Tests.Transports.TransportTestKit;

namespace Pbx.Sip.Tests.Transports;

/// <summary>SIP over WebSocket (RFC 7118) on loopback with System.Net.WebSockets clients; every wait is bounded.</summary>
public sealed class WebSocketTransportTests : IDisposable
{
    private readonly X509Certificate2 _certificate = CreateServerCertificate();

    public void Dispose() => _certificate.Dispose();

    private static Uri UriOf(WebSocketSipTransport server, string scheme = "ws") =>
        new($"{scheme}://{(server.LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{server.LocalEndPoint.Address}]" : server.LocalEndPoint.Address)}:{server.LocalEndPoint.Port}/ws");

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri, params string[] subProtocols)
    {
        var client = new ClientWebSocket();
        foreach (var p in subProtocols) client.Options.AddSubProtocol(p);
        client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true; // the test's own self-signed certificate
        using var cts = new CancellationTokenSource(Wait);
        await client.ConnectAsync(uri, cts.Token);
        return client;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(ClientWebSocket client)
    {
        var buffer = new byte[8192];
        int filled = 0;
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var result = await client.ReceiveAsync(buffer.AsMemory(filled), cts.Token);
            filled += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return (result.MessageType, buffer[..filled]);
        }
    }

    private static Task SendTextAsync(ClientWebSocket client, byte[] data, bool endOfMessage = true) =>
        client.SendAsync(data, WebSocketMessageType.Text, endOfMessage, new CancellationTokenSource(Wait).Token);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Sip_message_arrives_with_its_flow_and_the_answer_comes_back_over_the_socket(string address)
    {
        var inbox = new TransportInbox();
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Parse(address), 0), inbox);
        server.Start();
        using var client = await ConnectAsync(UriOf(server), "sip");
        Assert.Equal("sip", client.SubProtocol);

        var register = Crlf(Register);
        await SendTextAsync(client, register);
        var (text, flow) = await inbox.NextAsync();
        Assert.Equal(Text(register), text);
        Assert.Equal(SipTransportKind.Ws, flow.Transport);
        Assert.True(flow.IsReliable);
        Assert.NotEqual(0, flow.ConnectionId);
        Assert.Equal(IPAddress.Parse(address), flow.Remote.Address);
        Assert.Equal(1, server.ConnectionCount);

        var answer = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        await server.SendAsync(flow, answer);
        var (type, data) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(answer, data);

        // RFC 7118 §5: binary messages carry SIP too; a fragmented message is still one SIP message.
        await client.SendAsync(register.AsMemory(0, 40), WebSocketMessageType.Binary, false, CancellationToken.None);
        await client.SendAsync(register.AsMemory(40), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(Text(register), (await inbox.NextAsync()).Text);
    }

    [Fact]
    public async Task Crlf_keepalive_message_gets_a_crlf_answer_and_is_not_delivered()
    {
        var inbox = new TransportInbox();
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox);
        server.Start();
        using var client = await ConnectAsync(UriOf(server), "sip");

        await SendTextAsync(client, "\r\n\r\n"u8.ToArray());
        var (type, data) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal("\r\n"u8.ToArray(), data);
        Assert.Equal(0, inbox.Count);
    }

    [Fact]
    public async Task Handshake_without_the_sip_subprotocol_is_refused()
    {
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), new TransportInbox());
        server.Start();

        await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(UriOf(server)));
        await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync(UriOf(server), "xmpp", "SIP"));
        Assert.StartsWith("HTTP/1.1 400 ", await RawHandshakeAsync(server, "Sec-WebSocket-Protocol: xmpp\r\n"), StringComparison.Ordinal);

        var wrongVersion = await RawHandshakeAsync(server, "Sec-WebSocket-Protocol: sip\r\n", version: "8");
        Assert.StartsWith("HTTP/1.1 426 ", wrongVersion, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Version: 13\r\n", wrongVersion, StringComparison.Ordinal);

        var accepted = await RawHandshakeAsync(server, "Sec-WebSocket-Protocol: xmpp, sip\r\n");
        Assert.StartsWith("HTTP/1.1 101 ", accepted, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", accepted, StringComparison.Ordinal); // RFC 6455 §1.3 sample
        Assert.Contains("Sec-WebSocket-Protocol: sip\r\n", accepted, StringComparison.Ordinal);
    }

    /// <summary>Sends a hand-written upgrade request with the RFC 6455 sample key and returns the response head.</summary>
    private static async Task<string> RawHandshakeAsync(WebSocketSipTransport server, string protocolHeader, string version = "13")
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.LocalEndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: {version}\r\n{protocolHeader}\r\n"));
        var response = new StringBuilder();
        var buffer = new byte[1024];
        using var cts = new CancellationTokenSource(Wait);
        while (!response.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, cts.Token);
            if (read == 0) break;
            response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return response.ToString();
    }

    [Fact]
    public async Task Oversized_message_closes_only_that_connection()
    {
        var inbox = new TransportInbox();
        var options = new WebSocketTransportOptions { Parse = new SipParseOptions { MaxMessageSize = 4096 } };
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox, options: options);
        server.Start();
        using var good = await ConnectAsync(UriOf(server), "sip");
        using var bad = await ConnectAsync(UriOf(server), "sip");

        // Sent in fragments, so the limit must hold across frames, not only per frame.
        var chunk = Encoding.ASCII.GetBytes(new string('A', 3000));
        await SendTextAsync(bad, chunk, endOfMessage: false);
        try
        {
            await SendTextAsync(bad, chunk);
        }
        catch (WebSocketException)
        {
            // The server may already be gone; what matters is how the connection ends.
        }
        try
        {
            var (type, _) = await ReceiveAsync(bad);
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, bad.CloseStatus);
        }
        catch (WebSocketException)
        {
            Assert.Equal(WebSocketState.Aborted, bad.State); // reset before the close frame was read: closed all the same
        }
        await WaitUntilAsync(() => server.ConnectionCount == 1);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(0, inbox.Count);

        await SendTextAsync(good, Crlf(Register));
        var flow = (await inbox.NextAsync()).Flow;
        await server.SendAsync(flow, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        Assert.StartsWith("SIP/2.0 200 OK", Encoding.UTF8.GetString((await ReceiveAsync(good)).Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wss_upgrades_inside_tls_and_reports_wss_flows()
    {
        var inbox = new TransportInbox();
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox, _certificate);
        Assert.Equal(SipTransportKind.Wss, server.Kind);
        server.Start();
        using var client = await ConnectAsync(UriOf(server, "wss"), "sip");

        await SendTextAsync(client, Crlf(Register));
        var (text, flow) = await inbox.NextAsync();
        Assert.StartsWith("REGISTER", text, StringComparison.Ordinal);
        Assert.Equal(SipTransportKind.Wss, flow.Transport);
        await server.SendAsync(flow, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        Assert.StartsWith("SIP/2.0 200 OK", Encoding.UTF8.GetString((await ReceiveAsync(client)).Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_client_is_dropped_after_the_handshake_timeout_and_dead_flows_fail_cleanly()
    {
        var inbox = new TransportInbox();
        var options = new WebSocketTransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(1.5) };
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox, options: options);
        server.Start();
        using var silent = new TcpClient();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await silent.ConnectAsync(server.LocalEndPoint);
        Assert.True(await ClosedByPeerAsync(silent.GetStream()), "silent client was not dropped");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.3), $"dropped after {clock.Elapsed}, before the handshake timeout");

        var client = await ConnectAsync(UriOf(server), "sip");
        await SendTextAsync(client, Crlf(Register));
        var flow = (await inbox.NextAsync()).Flow;
        client.Abort();
        client.Dispose();
        await WaitUntilAsync(() => server.ConnectionCount == 0);
        Assert.Equal(0, server.ConnectionCount);
        await Assert.ThrowsAsync<SipConnectionUnavailableException>(async () => await server.SendAsync(flow, Crlf(Register)));
    }

    [Fact]
    public async Task Idle_connections_are_swept()
    {
        var clock = new Pbx.Sip.Tests.Helpers.ManualTimeProvider();
        var options = new WebSocketTransportOptions { IdleTimeout = TimeSpan.FromMinutes(2) };
        await using var server = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), new TransportInbox(), options: options, time: clock);
        server.Start();
        using var client = await ConnectAsync(UriOf(server), "sip");
        await WaitUntilAsync(() => server.ConnectionCount == 1);
        Assert.Equal(1, server.ConnectionCount);

        clock.Advance(TimeSpan.FromMinutes(1)); // first sweep: not idle long enough
        Assert.Equal(1, server.ConnectionCount);
        clock.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => server.ConnectionCount == 0);
        Assert.Equal(0, server.ConnectionCount);
        try
        {
            var (type, _) = await ReceiveAsync(client);
            Assert.Equal(WebSocketMessageType.Close, type);
        }
        catch (WebSocketException)
        {
            Assert.Equal(WebSocketState.Aborted, client.State);
        }
    }

    [Fact]
    public void Websocket_kinds_are_reliable_have_via_names_and_route_separately()
    {
        Assert.Equal(["UDP", "TCP", "TLS", "WS", "WSS"], Enum.GetValues<SipTransportKind>().Select(k => k.ViaTransport()));
        Assert.True(new SipFlow(SipTransportKind.Ws, new IPEndPoint(IPAddress.Loopback, 1)).IsReliable);
        Assert.True(new SipFlow(SipTransportKind.Wss, new IPEndPoint(IPAddress.Loopback, 1)).IsReliable);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketUpgrade.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public async Task Transport_set_routes_ws_and_wss_to_their_own_transports()
    {
        var inbox = new TransportInbox();
        await using var ws = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox);
        await using var wss = new WebSocketSipTransport(new IPEndPoint(IPAddress.Loopback, 0), inbox, _certificate);
        var set = new SipTransportSet(ws, wss);
        ws.Start();
        wss.Start();
        using var plain = await ConnectAsync(UriOf(ws), "sip");
        using var secure = await ConnectAsync(UriOf(wss, "wss"), "sip");
        await SendTextAsync(plain, Crlf(Register));
        var plainFlow = (await inbox.NextAsync()).Flow;
        await SendTextAsync(secure, Crlf(Register));
        var secureFlow = (await inbox.NextAsync()).Flow;

        await set.SendAsync(secureFlow, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        await set.SendAsync(plainFlow, "SIP/2.0 202 Accepted\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        Assert.StartsWith("SIP/2.0 200", Encoding.UTF8.GetString((await ReceiveAsync(secure)).Data), StringComparison.Ordinal);
        Assert.StartsWith("SIP/2.0 202", Encoding.UTF8.GetString((await ReceiveAsync(plain)).Data), StringComparison.Ordinal);
    }
}

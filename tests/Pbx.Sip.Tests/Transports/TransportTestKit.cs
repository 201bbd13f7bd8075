using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Transports;

/// <summary>Shared pieces of the socket transport tests: a receiving inbox, a throwaway certificate, bounded waits.</summary>
internal static class TransportTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>Self-signed ECDSA P-256 server certificate for localhost / 127.0.0.1 / ::1, valid around now.</summary>
    public static X509Certificate2 CreateServerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }

    /// <summary>A TLS client on loopback that trusts only the given certificate.</summary>
    public static async Task<(TcpClient Tcp, SslStream Tls)> ConnectTlsAsync(IPEndPoint server, X509Certificate2 expected)
    {
        var tcp = new TcpClient(server.AddressFamily);
        await tcp.ConnectAsync(server);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var cts = new CancellationTokenSource(Wait);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == expected.GetCertHashString(),
        }, cts.Token);
        return (tcp, tls);
    }

    /// <summary>True when the peer closed the stream (end of stream or reset) within the wait.</summary>
    public static async Task<bool> ClosedByPeerAsync(Stream stream)
    {
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            while (true)
            {
                if (await stream.ReadAsync(buffer, cts.Token) == 0) return true;
            }
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(10);
    }
}

/// <summary>Collects what a transport delivers; waits are asynchronous and bounded, so no pool thread is blocked.</summary>
internal sealed class TransportInbox : ISipReceiver
{
    private readonly Channel<(string Text, SipFlow Flow)> _items = Channel.CreateUnbounded<(string, SipFlow)>();

    public int Count => _items.Reader.Count;

    public void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source) =>
        _items.Writer.TryWrite((System.Text.Encoding.UTF8.GetString(message.Span), source));

    public async Task<(string Text, SipFlow Flow)> NextAsync()
    {
        using var cts = new CancellationTokenSource(TransportTestKit.Wait);
        try
        {
            return await _items.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("nothing received in time");
            throw;
        }
    }
}

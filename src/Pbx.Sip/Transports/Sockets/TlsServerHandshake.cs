using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>Server side of TLS for SIP (RFC 3261 §26.2.1, RFC 5630) and secure WebSocket: TLS 1.2 and 1.3 only.</summary>
internal sealed class TlsServerHandshake
{
    private readonly SslServerAuthenticationOptions _options;

    public TlsServerHandshake(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.HasPrivateKey) throw new ArgumentException("The TLS server certificate needs its private key.", nameof(certificate));
        _options = new SslServerAuthenticationOptions
        {
            // Built once: the chain is resolved here, not on every handshake. Offline: no fetching of intermediates.
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            // Phones authenticate with digest; mutual TLS is not asked for.
            ClientCertificateRequired = false,
            // Client-initiated TLS 1.2 renegotiation only costs the server CPU.
            AllowRenegotiation = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>Completes the handshake over <paramref name="inner"/>; the returned stream owns it.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(_options, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

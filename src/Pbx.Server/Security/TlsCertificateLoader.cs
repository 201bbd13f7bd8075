using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pbx.Server.Configuration;

namespace Pbx.Server.Security;

/// <summary>
/// The server certificate for SIP over TLS and XMPP: the admin's own, or a self-signed one made once in the data
/// directory so that a fresh install speaks TLS out of the box (clients must be told to accept it).
/// </summary>
public static class TlsCertificateLoader
{
    public const string SelfSignedFileName = "tls/self-signed.pfx";

    /// <returns>The certificate, or null with <paramref name="reason"/> saying why it cannot be used.</returns>
    public static X509Certificate2? TryLoad(TlsOptions options, out string reason)
    {
        var path = options.CertificatePath;
        reason = "";
        try
        {
            if (!File.Exists(path)) { reason = $"file '{path}' does not exist"; return null; }
            if (options.KeyPath.Length > 0 && !File.Exists(options.KeyPath)) { reason = $"key file '{options.KeyPath}' does not exist"; return null; }
            var certificate = IsPkcs12(path)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword.Length > 0 ? options.CertificatePassword : null)
                : X509Certificate2.CreateFromPemFile(path, options.KeyPath.Length > 0 ? options.KeyPath : null);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                reason = $"'{path}' has no private key (set Tls:KeyPath for a PEM key file)";
                return null;
            }
            return certificate;
        }
        catch (UnauthorizedAccessException) { reason = $"'{path}' cannot be read: permission denied"; }
        catch (IOException ex) { reason = $"'{path}' cannot be read: {ex.Message}"; }
        catch (CryptographicException ex) { reason = $"'{path}' is not a usable certificate: {ex.Message.TrimEnd('.')}"; }
        return null;
    }

    public static X509Certificate2 LoadOrCreate(TlsOptions options, string dataDirectory, TimeProvider time, out bool created)
    {
        created = false;
        if (options.CertificatePath.Length > 0)
            return TryLoad(options, out var reason) ?? throw new InvalidOperationException($"Tls:CertificatePath: {reason}");
        var path = Path.Combine(dataDirectory, SelfSignedFileName);
        if (File.Exists(path))
            return X509CertificateLoader.LoadPkcs12FromFile(path, password: null, X509KeyStorageFlags.Exportable);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pfx = CreateSelfSigned(options.SelfSignedSubject, time.GetUtcNow());
        WritePrivateFile(path, pfx);
        created = true;
        return X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
    }

    private static bool IsPkcs12(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12";

    private static byte[] CreateSelfSigned(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        var commonName = new X500DistinguishedName(subject).Format(multiLine: false);
        foreach (var part in commonName.Split(',', StringSplitOptions.TrimEntries))
            if (part.StartsWith("CN=", StringComparison.OrdinalIgnoreCase) && Uri.CheckHostName(part[3..]) == UriHostNameType.Dns)
                names.AddDnsName(part[3..]);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        return certificate.Export(X509ContentType.Pfx);
    }

    private static void WritePrivateFile(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        file.Write(content);
    }
}

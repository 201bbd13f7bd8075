using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Pbx.Xmpp.Tests.Support;

/// <summary>
/// A deliberately small XMPP client speaking raw XML, written independently of the server code so
/// that the tests check the wire protocol rather than the server against itself.
/// </summary>
internal sealed class RawXmppClient : IAsyncDisposable
{
    public static readonly XNamespace Client = "jabber:client";
    public static readonly XNamespace Streams = "http://etherx.jabber.org/streams";
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private Stream _stream;
    private XmlReader? _reader;
    private Task<bool>? _pendingRead;
    // Survives a timed-out read so that a half-received element is completed by the next call.
    private readonly Stack<XElement> _open = new();

    private RawXmppClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    public string? BoundJid { get; private set; }

    public static async Task<RawXmppClient> ConnectAsync(IPEndPoint endPoint, bool directTls = false)
    {
        var tcp = new TcpClient(endPoint.AddressFamily);
        await tcp.ConnectAsync(endPoint).WaitAsync(DefaultTimeout);
        var client = new RawXmppClient(tcp, tcp.GetStream());
        if (directTls) await client.UpgradeToTlsAsync();
        return client;
    }

    /// <summary>Connect, STARTTLS, SCRAM, bind: the happy path most tests start from.</summary>
    public static async Task<RawXmppClient> LoginAsync(IPEndPoint endPoint, string user, string password, string resource,
        string mechanism = "SCRAM-SHA-256")
    {
        var client = await ConnectAsync(endPoint);
        await client.OpenStreamAsync();
        await client.StartTlsAsync();
        var features = await client.OpenStreamAsync();
        if (!features.Descendants(Sasl + "mechanism").Any(m => m.Value == mechanism)) throw new InvalidOperationException($"{mechanism} not offered");
        var result = mechanism == "PLAIN"
            ? await client.AuthenticatePlainAsync(user, password)
            : await client.AuthenticateScramAsync(user, password, mechanism);
        if (result.Name.LocalName != "success") throw new InvalidOperationException("Login failed: " + result);
        await client.OpenStreamAsync();
        await client.BindAsync(resource);
        return client;
    }

    public async Task SendAsync(string xml)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(xml)).AsTask().WaitAsync(DefaultTimeout);
        await _stream.FlushAsync().WaitAsync(DefaultTimeout);
    }

    public Task SendAsync(XElement element) => SendAsync(element.ToString(SaveOptions.DisableFormatting));

    /// <summary>Sends a stream header and returns the server's stream features.</summary>
    public async Task<XElement> OpenStreamAsync(string to = "pbx.test")
    {
        var features = await OpenStreamRawAsync(to);
        if (features is null || features.Name != Streams + "features") throw new InvalidOperationException("Expected features, got " + features);
        return features;
    }

    /// <summary>Sends a stream header; returns the first element the server sends after its own header.</summary>
    public async Task<XElement?> OpenStreamRawAsync(string to = "pbx.test", string? header = null)
    {
        await SendAsync(header ?? $"<?xml version='1.0'?><stream:stream to='{to}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
        _reader = XmlReader.Create(_stream, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit });
        _pendingRead = null;
        _open.Clear();
        while (await ReadNodeAsync(DefaultTimeout))
        {
            if (_reader.NodeType == XmlNodeType.Element)
            {
                if (_reader.LocalName != "stream") throw new InvalidOperationException("Expected stream header, got " + _reader.Name);
                break;
            }
        }
        return await ReadElementAsync();
    }

    public async Task StartTlsAsync()
    {
        await SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        var reply = await ReadElementAsync();
        if (reply?.Name.LocalName != "proceed") throw new InvalidOperationException("Expected proceed, got " + reply);
        await UpgradeToTlsAsync();
    }

    private async Task UpgradeToTlsAsync()
    {
        var tls = new SslStream(_stream, false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "pbx.test" }).WaitAsync(DefaultTimeout);
        _stream = tls;
    }

    public async Task<XElement> AuthenticatePlainAsync(string user, string password)
    {
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{payload}</auth>");
        return await ReadElementAsync() ?? throw new EndOfStreamException();
    }

    /// <summary>Runs SCRAM as a client; returns the server's success or failure element (success is verified).</summary>
    public async Task<XElement> AuthenticateScramAsync(string user, string password, string mechanism = "SCRAM-SHA-256")
    {
        var hash = mechanism == "SCRAM-SHA-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        string clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        string clientFirstBare = $"n={user},r={clientNonce}";
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='{mechanism}'>{B64("n,," + clientFirstBare)}</auth>");
        var challenge = await ReadElementAsync() ?? throw new EndOfStreamException();
        if (challenge.Name.LocalName != "challenge") return challenge;

        string serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(challenge.Value));
        var fields = serverFirst.Split(',').ToDictionary(f => f[..1], f => f[2..]);
        if (!fields["r"].StartsWith(clientNonce, StringComparison.Ordinal)) throw new InvalidOperationException("Nonce mismatch");
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(fields["s"]),
            int.Parse(fields["i"]), hash, hash == HashAlgorithmName.SHA256 ? 32 : 20);
        var clientKey = Hmac(hash, salted, "Client Key");
        var storedKey = hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA1.HashData(clientKey);
        string withoutProof = $"c=biws,r={fields["r"]}";
        string authMessage = $"{clientFirstBare},{serverFirst},{withoutProof}";
        var signature = Hmac(hash, storedKey, authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        await SendAsync($"<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{B64(withoutProof + ",p=" + Convert.ToBase64String(proof))}</response>");
        var outcome = await ReadElementAsync() ?? throw new EndOfStreamException();
        if (outcome.Name.LocalName == "success")
        {
            var expected = "v=" + Convert.ToBase64String(Hmac(hash, Hmac(hash, salted, "Server Key"), authMessage));
            if (Encoding.UTF8.GetString(Convert.FromBase64String(outcome.Value)) != expected)
            {
                throw new InvalidOperationException("Server signature mismatch");
            }
        }
        return outcome;
    }

    public async Task<string> BindAsync(string? resource)
    {
        string resourceXml = resource is null ? "" : $"<resource>{resource}</resource>";
        await SendAsync($"<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>{resourceXml}</bind></iq>");
        var reply = await ExpectAsync(e => e.Attribute("id")?.Value == "bind1");
        if (reply.Attribute("type")?.Value != "result") throw new InvalidOperationException("Bind failed: " + reply);
        BoundJid = reply.Descendants().First(d => d.Name.LocalName == "jid").Value;
        return BoundJid;
    }

    /// <summary>Reads elements until one matches; others are skipped. Throws on timeout or stream end.</summary>
    public async Task<XElement> ExpectAsync(Func<XElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException("No matching element arrived.");
            var element = await ReadElementAsync(remaining) ?? throw new EndOfStreamException("Stream closed while waiting.");
            if (match(element)) return element;
        }
    }

    /// <summary>True if nothing matching arrives within the window (used to check non-delivery).</summary>
    public async Task<bool> NothingMatchingWithinAsync(Func<XElement, bool> match, TimeSpan window)
    {
        try
        {
            await ExpectAsync(match, window);
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>Reads the next top-level element; null when the server closed its stream.</summary>
    public async Task<XElement?> ReadElementAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var open = _open;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) throw new TimeoutException();
            bool more;
            try
            {
                more = await ReadNodeAsync(remaining);
            }
            catch (Exception ex) when (ex is IOException or XmlException or ObjectDisposedException)
            {
                return null;
            }
            if (!more) return null;
            switch (_reader!.NodeType)
            {
                case XmlNodeType.Element:
                    var element = new XElement(XName.Get(_reader.LocalName, _reader.NamespaceURI));
                    bool empty = _reader.IsEmptyElement;
                    if (_reader.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (_reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                            {
                                element.SetAttributeValue(XName.Get(_reader.LocalName, _reader.NamespaceURI), _reader.Value);
                            }
                        }
                        while (_reader.MoveToNextAttribute());
                    }
                    if (open.TryPeek(out var parent)) parent.Add(element);
                    if (!empty) open.Push(element);
                    else if (open.Count == 0) return element;
                    break;
                case XmlNodeType.EndElement:
                    if (open.Count == 0) return null;
                    var done = open.Pop();
                    if (open.Count == 0) return done;
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    if (open.TryPeek(out var container)) container.Add(new XText(_reader.Value));
                    break;
            }
        }
    }

    private async Task<bool> ReadNodeAsync(TimeSpan timeout)
    {
        // XmlReader reads cannot be cancelled; a timed-out read stays pending and is resumed next time.
        _pendingRead ??= _reader!.ReadAsync();
        bool result = await _pendingRead.WaitAsync(timeout);
        _pendingRead = null;
        return result;
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, string data) => Hmac(hash, key, Encoding.UTF8.GetBytes(data));

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data) =>
        hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (IOException)
        {
            // Already closed by the server.
        }
        _tcp.Dispose();
    }
}

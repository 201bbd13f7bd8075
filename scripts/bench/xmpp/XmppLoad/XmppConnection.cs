using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Pbx.Bench.XmppLoad;

/// <summary>
/// One raw XMPP client connection: TCP, STARTTLS (any certificate accepted), SASL SCRAM, bind,
/// presence, then chat messages. Not thread-safe for writes: one writer at a time (the login path,
/// then the message sender). Reads cannot be cancelled; a stuck connection is ended by disposing it.
/// </summary>
internal sealed class XmppConnection : IAsyncDisposable
{
    public static readonly XNamespace Streams = "http://etherx.jabber.org/streams";
    public static readonly XNamespace Sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static readonly XNamespace Tls = "urn:ietf:params:xml:ns:xmpp-tls";
    public static readonly XNamespace Bind = "urn:ietf:params:xml:ns:xmpp-bind";

    private readonly Socket _socket;
    private readonly string _domain;
    private Stream _stream;
    private XmlReader? _reader;
    private readonly Stack<XElement> _open = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _disposed;

    private XmppConnection(Socket socket, string domain)
    {
        _socket = socket;
        _domain = domain;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public string? FullJid { get; private set; }

    /// <summary>Presence stanzas that arrived (and were skipped) while waiting for a reply during login.</summary>
    public int SkippedPresences { get; private set; }

    public static async Task<XmppConnection> ConnectAsync(IPEndPoint server, IPAddress source, string domain, CancellationToken ct)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Bound to a chosen loopback source address: the daemon allows 100 connections per address.
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new XmppConnection(socket, domain);
    }

    /// <summary>connect → STARTTLS → SCRAM → bind → initial presence → ping round trip (so the presence was processed).</summary>
    public async Task LoginAsync(string user, string password, string resource, string mechanism)
    {
        var features = await OpenStreamAsync().ConfigureAwait(false);
        if (features.Element(Tls + "starttls") is null) throw new InvalidOperationException("server offers no STARTTLS");
        await SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").ConfigureAwait(false);
        var proceed = await ReadElementAsync().ConfigureAwait(false);
        if (proceed.Name != Tls + "proceed") throw new InvalidOperationException("STARTTLS refused: " + proceed);
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _domain }).ConfigureAwait(false);
        _stream = tls;

        features = await OpenStreamAsync().ConfigureAwait(false);
        var mechanisms = features.Element(Sasl + "mechanisms")?.Elements(Sasl + "mechanism").Select(m => m.Value).ToList() ?? [];
        if (!mechanisms.Contains(mechanism)) throw new InvalidOperationException($"{mechanism} not offered (offered: {string.Join(' ', mechanisms)})");
        var scram = new ScramClient(mechanism, user, password);
        await SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='{mechanism}'>{B64(scram.ClientFirst())}</auth>").ConfigureAwait(false);
        var challenge = await ReadElementAsync().ConfigureAwait(false);
        if (challenge.Name != Sasl + "challenge") throw new InvalidOperationException("SASL: " + challenge);
        var final = scram.ClientFinal(Unb64(challenge.Value));
        await SendAsync($"<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{B64(final)}</response>").ConfigureAwait(false);
        var outcome = await ReadElementAsync().ConfigureAwait(false);
        if (outcome.Name != Sasl + "success") throw new InvalidOperationException("SASL: " + outcome);
        if (!scram.VerifyServerFinal(Unb64(outcome.Value))) throw new InvalidOperationException("SASL: wrong server signature");

        features = await OpenStreamAsync().ConfigureAwait(false);
        if (features.Element(Bind + "bind") is null) throw new InvalidOperationException("no bind feature: " + features);
        await SendAsync($"<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}</resource></bind></iq>").ConfigureAwait(false);
        var bound = await ExpectAsync(e => e.Name.LocalName == "iq" && (string?)e.Attribute("id") == "bind").ConfigureAwait(false);
        if ((string?)bound.Attribute("type") != "result") throw new InvalidOperationException("bind: " + bound);
        FullJid = bound.Descendants().FirstOrDefault(d => d.Name.LocalName == "jid")?.Value;

        await SendAsync("<presence/>").ConfigureAwait(false);
        await SendAsync($"<iq type='get' id='ping' to='{_domain}'><ping xmlns='urn:xmpp:ping'/></iq>").ConfigureAwait(false);
        var pong = await ExpectAsync(e => e.Name.LocalName == "iq" && (string?)e.Attribute("id") == "ping").ConfigureAwait(false);
        if ((string?)pong.Attribute("type") != "result") throw new InvalidOperationException("ping: " + pong);
    }

    public async Task SendAsync(string xml)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes).ConfigureAwait(false);
            await _stream.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CloseAsync()
    {
        try
        {
            await SendAsync("</stream:stream>").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    private async Task<XElement> OpenStreamAsync()
    {
        await SendAsync($"<?xml version='1.0'?><stream:stream to='{_domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>").ConfigureAwait(false);
        _reader = XmlReader.Create(_stream, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, CloseInput = false });
        _open.Clear();
        while (true)
        {
            if (!await _reader.ReadAsync().ConfigureAwait(false)) throw new EndOfStreamException("stream closed before its header");
            if (_reader.NodeType != XmlNodeType.Element) continue;
            if (_reader.LocalName != "stream" || _reader.NamespaceURI != Streams.NamespaceName) throw new InvalidOperationException("expected a stream header, got " + _reader.Name);
            break;
        }
        var features = await ReadElementAsync().ConfigureAwait(false);
        if (features.Name != Streams + "features") throw new InvalidOperationException("expected stream features, got " + features);
        return features;
    }

    public async Task<XElement> ExpectAsync(Func<XElement, bool> match)
    {
        for (int skipped = 0; skipped < 100_000; skipped++)
        {
            var element = await ReadElementAsync().ConfigureAwait(false);
            if (element.Name == Streams + "error") throw new InvalidOperationException("stream error: " + element);
            if (match(element)) return element;
            if (element.Name.LocalName == "presence") SkippedPresences++;
        }
        throw new InvalidOperationException("too many unexpected elements");
    }

    /// <summary>Next top-level element of the stream; throws at the end of the stream.</summary>
    public async Task<XElement> ReadElementAsync()
    {
        var reader = _reader ?? throw new InvalidOperationException("no stream open");
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
                    bool empty = reader.IsEmptyElement;
                    if (reader.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                                element.SetAttributeValue(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value);
                        }
                        while (reader.MoveToNextAttribute());
                    }
                    if (_open.TryPeek(out var parent)) parent.Add(element);
                    if (!empty) _open.Push(element);
                    else if (_open.Count == 0) return element;
                    break;
                case XmlNodeType.EndElement:
                    if (_open.Count == 0) throw new EndOfStreamException("server closed its stream");
                    var done = _open.Pop();
                    if (_open.Count == 0) return done;
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    if (_open.TryPeek(out var container)) container.Add(new XText(reader.Value));
                    break;
            }
        }
        throw new EndOfStreamException("connection closed");
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Unb64(string text)
    {
        text = text.Trim();
        return text.Length == 0 || text == "=" ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(text));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        _socket.Dispose();
    }
}

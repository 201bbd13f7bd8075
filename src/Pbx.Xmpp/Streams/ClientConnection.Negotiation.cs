using System.Net.Security;
using System.Security;
using System.Xml.Linq;
using Pbx.Xmpp.Auth;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Streams;

internal sealed partial class ClientConnection
{
    private enum StreamOutcome { Closed, Restart }

    private async Task RunStreamsAsync()
    {
        var sasl = new SaslNegotiator(_core.Context.Directory, _core.FailureTracker, _core.Context.Options.Domain, _core.FakeSaltKey);
        while (true)
        {
            using var reader = new XmppStreamReader(_input!, Options.MaxStanzaBytes);
            var header = await reader.ReadHeaderAsync().ConfigureAwait(false);
            SendHeader(header);
            ValidateHeader(header);
            _output!.TryEnqueue(Features());

            var outcome = await ReadStreamAsync(reader, sasl).ConfigureAwait(false);
            if (outcome == StreamOutcome.Closed) return;
        }
    }

    private async Task<StreamOutcome> ReadStreamAsync(XmppStreamReader reader, SaslNegotiator sasl)
    {
        while (true)
        {
            var element = await reader.ReadElementAsync().ConfigureAwait(false);
            if (element is null) return StreamOutcome.Closed;

            if (_session is not null)
            {
                if (element.Name.Namespace == Ns.StreamManagement)
                {
                    HandleStreamManagement(_session, element);
                    continue;
                }
                if (!Stanza.IsStanza(element)) throw new StreamErrorException(StreamErrorCondition.UnsupportedStanzaType);
                await _core.Router.RouteAsync(_session, element, _sessionCts.Token).ConfigureAwait(false);
                _session.CountInboundStanza();
                continue;
            }
            if (element.Name == Ns.Tls + "starttls")
            {
                await StartTlsAsync().ConfigureAwait(false);
                return StreamOutcome.Restart;
            }
            if (!_isSecure && Options.RequireTls)
            {
                throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "STARTTLS is required.");
            }
            if (_authenticatedUser is null)
            {
                if (element.Name.Namespace != Ns.Sasl) throw new StreamErrorException(StreamErrorCondition.NotAuthorized);
                if (await AuthenticateAsync(sasl, element).ConfigureAwait(false)) return StreamOutcome.Restart;
                continue;
            }
            if (element.Name == Stanza.Iq && element.Element(Ns.Bind + "bind") is { } bind && element.Type() == "set")
            {
                Bind(element, bind);
                continue;
            }
            if (element.Name == Ns.StreamManagement + "resume")
            {
                Resume(element);
                continue;
            }
            if (element.Name.Namespace == Ns.StreamManagement)
            {
                _output!.TryEnqueue(StreamManagementFailure(StanzaErrorCondition.UnexpectedRequest));
                continue;
            }
            throw new StreamErrorException(StreamErrorCondition.NotAuthorized, "Bind a resource first.");
        }
    }

    private void ValidateHeader(StreamHeader header)
    {
        if (header.To is not null && !header.To.Equals(Options.Domain, StringComparison.OrdinalIgnoreCase))
        {
            throw new StreamErrorException(StreamErrorCondition.HostUnknown);
        }
        if (header.Version is null || !header.Version.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new StreamErrorException(StreamErrorCondition.UnsupportedVersion, "XMPP 1.0 streams only.");
        }
    }

    private void SendHeader(StreamHeader? header)
    {
        _output!.TryEnqueueRaw(StreamHeaderXml(header));
        _headerSent = true;
    }

    private string StreamHeaderXml(StreamHeader? header)
    {
        string to = header?.From is { } from && Jid.TryParse(from, out var jid)
            ? $" to='{SecurityElement.Escape(jid.ToString())}'"
            : "";
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
               + $" id='{Guid.NewGuid():N}' from='{SecurityElement.Escape(Options.Domain)}'{to} version='1.0' xml:lang='en'>";
    }

    private XElement Features()
    {
        var features = new XElement(Ns.Stream + "features", new XAttribute(XNamespace.Xmlns + "stream", Ns.Stream.NamespaceName));
        bool tlsAvailable = !_isSecure && Options.Certificate is not null;
        if (tlsAvailable)
        {
            var starttls = new XElement(Ns.Tls + "starttls");
            if (Options.RequireTls) starttls.Add(new XElement(Ns.Tls + "required"));
            features.Add(starttls);
        }
        if (_authenticatedUser is null && (_isSecure || !Options.RequireTls))
        {
            features.Add(new XElement(Ns.Sasl + "mechanisms",
                SaslNegotiator.Mechanisms(_isSecure).Select(m => new XElement(Ns.Sasl + "mechanism", m))));
        }
        if (_authenticatedUser is not null)
        {
            features.Add(new XElement(Ns.Bind + "bind"));
            features.Add(new XElement(Ns.Session + "session", new XElement(Ns.Session + "optional")));
            features.Add(new XElement(Ns.StreamManagement + "sm"));
        }
        return features;
    }

    private async Task StartTlsAsync()
    {
        if (_isSecure || Options.Certificate is null || _authenticatedUser is not null)
        {
            _output!.TryEnqueue(new XElement(Ns.Tls + "failure"));
            throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "TLS negotiation not possible.");
        }
        await _output!.SendAndFlushAsync(new XElement(Ns.Tls + "proceed"), null).ConfigureAwait(false);
        var tls = await AuthenticateTlsAsync(_network!).ConfigureAwait(false);
        _isSecure = true;
        _input?.Dispose();
        _input = new GuardedStream(tls, _core.Context.Time, Options.IdleTimeout);
        _input.SetSessionToken(_sessionCts.Token);
        _output.SwitchTarget(tls);
    }

    private async Task<SslStream> AuthenticateTlsAsync(Stream network)
    {
        var tls = new SslStream(network, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = Options.Certificate ?? throw new InvalidOperationException("No certificate configured."),
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            }, _sessionCts.Token).ConfigureAwait(false);
            _tls = tls;
            return tls;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            XmppLog.TlsFailed(_core.Context.Logger, _remote, ex);
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> AuthenticateAsync(SaslNegotiator sasl, XElement element)
    {
        SaslOutcome outcome;
        try
        {
            outcome = await sasl.ProcessAsync(element, _isSecure, _remote.Address, _sessionCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host's user directory failed: the client may retry later, the connection stays usable.
            XmppLog.SessionFailed(_core.Context.Logger, _remote, ex);
            outcome = new SaslOutcome(new XElement(Ns.Sasl + "failure", new XElement(Ns.Sasl + SaslFailures.TemporaryAuthFailure)), null);
        }
        _output!.TryEnqueue(outcome.Reply);
        if (outcome.AuthenticatedUser is not null)
        {
            _authenticatedUser = outcome.AuthenticatedUser;
            XmppLog.Authenticated(_core.Context.Logger, _authenticatedUser, _remote.Address, (string?)element.Attribute("mechanism") ?? "SCRAM");
            return true;
        }
        if (outcome.Reply.Name.LocalName == "failure")
        {
            var condition = outcome.Reply.Elements().First().Name.LocalName;
            XmppLog.AuthenticationFailed(_core.Context.Logger, _remote.Address, condition);
            if (_core.FailureTracker.IsBanned(_remote.Address))
            {
                throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "Too many failed logins; try later.");
            }
        }
        return false;
    }

    private void Bind(XElement iq, XElement bind)
    {
        string? requested = bind.Element(Ns.Bind + "resource")?.Value.Trim();
        string resource = string.IsNullOrEmpty(requested) ? "pbx-" + Stanza.NewId() : requested;
        if (!Jid.TryCreate(_authenticatedUser, Options.Domain, resource, out var fullJid))
        {
            _output!.TryEnqueue(StanzaErrors.CreateReply(iq, StanzaErrorCondition.BadRequest, "Invalid resource."));
            return;
        }
        var session = new XmppSession(fullJid, _remote, this);
        switch (_core.Context.Sessions.TryAdd(session, out var replaced))
        {
            case BindResult.TooManyResources:
                _output!.TryEnqueue(StanzaErrors.CreateReply(iq, StanzaErrorCondition.ResourceConstraint, "Too many resources."));
                return;
            case BindResult.ReplacedExisting:
                replaced!.Terminate(StreamErrorCondition.Conflict, "Replaced by a new connection.");
                _core.Lifecycle.Replaced(replaced);
                break;
        }
        _session = session;
        _negotiationTimer?.Dispose();
        _negotiationTimer = null;
        XmppLog.ResourceBound(_core.Context.Logger, fullJid.ToString());
        _output!.TryEnqueue(Stanza.IqResult(iq, new XElement(Ns.Bind + "bind", new XElement(Ns.Bind + "jid", fullJid.ToString()))));
    }
}

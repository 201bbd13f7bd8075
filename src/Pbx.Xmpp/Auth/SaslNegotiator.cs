using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Pbx.Xmpp.Core;

namespace Pbx.Xmpp.Auth;

/// <summary>Outcome of one SASL element: what to send back and, on success, who logged in.</summary>
internal readonly record struct SaslOutcome(XElement Reply, string? AuthenticatedUser);

/// <summary>
/// Drives SASL negotiation (RFC 6120 §6) for one connection: mechanism choice, challenge/response
/// rounds, PLAIN only under TLS, and the per-address failure ban.
/// </summary>
internal sealed class SaslNegotiator(
    IXmppUserDirectory directory,
    AuthFailureTracker failureTracker,
    string domain,
    byte[] fakeSaltKey)
{
    private ScramServerExchange? _scram;

    public static IEnumerable<string> Mechanisms(bool isSecure)
    {
        yield return "SCRAM-SHA-256";
        yield return "SCRAM-SHA-1";
        if (isSecure) yield return "PLAIN";
    }

    public async ValueTask<SaslOutcome> ProcessAsync(XElement element, bool isSecure, IPAddress remote, CancellationToken cancellationToken)
    {
        if (failureTracker.IsBanned(remote))
        {
            return Failure(SaslFailures.TemporaryAuthFailure, "Too many failed attempts; try later.");
        }
        switch (element.Name.LocalName)
        {
            case "auth":
                return await StartAsync(element, isSecure, remote, cancellationToken).ConfigureAwait(false);
            case "response" when _scram is not null:
                return await ContinueScramAsync(element, remote, cancellationToken).ConfigureAwait(false);
            case "abort":
                _scram = null;
                return Failure(SaslFailures.Aborted);
            default:
                return Failure(SaslFailures.MalformedRequest);
        }
    }

    private async ValueTask<SaslOutcome> StartAsync(XElement auth, bool isSecure, IPAddress remote, CancellationToken cancellationToken)
    {
        _scram = null;
        string mechanism = (string?)auth.Attribute("mechanism") ?? "";
        if (!TryDecode(auth.Value, out var initial)) return Failure(SaslFailures.IncorrectEncoding);
        switch (mechanism)
        {
            case "SCRAM-SHA-256":
            case "SCRAM-SHA-1":
                var hash = mechanism == "SCRAM-SHA-256" ? ScramHash.Sha256 : ScramHash.Sha1;
                _scram = new ScramServerExchange(hash, (user, ct) => LookupScram(user, hash, ct), fakeSaltKey);
                if (initial.Length == 0)
                {
                    // The client sends its first message in a response to an empty challenge.
                    return new SaslOutcome(new XElement(Ns.Sasl + "challenge"), null);
                }
                return await ContinueScramWithAsync(initial, remote, cancellationToken).ConfigureAwait(false);
            case "PLAIN" when isSecure:
                return await VerifyPlainAsync(initial, remote, cancellationToken).ConfigureAwait(false);
            case "PLAIN":
                return Failure(SaslFailures.EncryptionRequired);
            default:
                return Failure(SaslFailures.InvalidMechanism);
        }
    }

    private ValueTask<ScramCredential?> LookupScram(string user, ScramHash hash, CancellationToken cancellationToken)
    {
        var login = ToLoginId(user);
        return login is null ? ValueTask.FromResult<ScramCredential?>(null) : directory.GetScramCredentialAsync(login, hash, cancellationToken);
    }

    private async ValueTask<SaslOutcome> ContinueScramAsync(XElement response, IPAddress remote, CancellationToken cancellationToken)
    {
        if (!TryDecode(response.Value, out var data)) return Failure(SaslFailures.IncorrectEncoding);
        return await ContinueScramWithAsync(data, remote, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SaslOutcome> ContinueScramWithAsync(byte[] data, IPAddress remote, CancellationToken cancellationToken)
    {
        var scram = _scram!;
        var step = await scram.StepAsync(data, cancellationToken).ConfigureAwait(false);
        switch (step.Kind)
        {
            case SaslStepKind.Challenge:
                return new SaslOutcome(new XElement(Ns.Sasl + "challenge", Convert.ToBase64String(step.Data!)), null);
            case SaslStepKind.Success:
                _scram = null;
                var login = ToLoginId(scram.UserName!);
                if (login is null || !IsAcceptableAuthzid(scram.AuthorizationId, login))
                {
                    return Failure(SaslFailures.InvalidAuthzid);
                }
                failureTracker.RecordSuccess(remote);
                return new SaslOutcome(new XElement(Ns.Sasl + "success", Convert.ToBase64String(step.Data!)), login);
            default:
                _scram = null;
                if (step.FailureCondition == SaslFailures.NotAuthorized) failureTracker.RecordFailure(remote);
                return Failure(step.FailureCondition!);
        }
    }

    private async ValueTask<SaslOutcome> VerifyPlainAsync(byte[] message, IPAddress remote, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(message);
        }
        catch (DecoderFallbackException)
        {
            return Failure(SaslFailures.MalformedRequest);
        }
        var parts = text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0) return Failure(SaslFailures.MalformedRequest);
        var login = ToLoginId(parts[1]);
        bool valid = login is not null
                     && await directory.VerifyPasswordAsync(login, parts[2], cancellationToken).ConfigureAwait(false);
        if (!valid)
        {
            failureTracker.RecordFailure(remote);
            return Failure(SaslFailures.NotAuthorized);
        }
        if (!IsAcceptableAuthzid(parts[0].Length == 0 ? null : parts[0], login!)) return Failure(SaslFailures.InvalidAuthzid);
        failureTracker.RecordSuccess(remote);
        return new SaslOutcome(new XElement(Ns.Sasl + "success"), login);
    }

    /// <summary>Accepts "user" and "user@domain" as the authentication identity; returns the localpart.</summary>
    private string? ToLoginId(string identity)
    {
        int at = identity.IndexOf('@');
        if (at >= 0)
        {
            if (!identity[(at + 1)..].Equals(domain, StringComparison.OrdinalIgnoreCase)) return null;
            identity = identity[..at];
        }
        return Jid.TryCreate(identity, domain, null, out var jid) ? jid.Local : null;
    }

    private bool IsAcceptableAuthzid(string? authzid, string login) =>
        authzid is null
        || (Jid.TryParse(authzid, out var requested) && requested.IsBare && requested.Local == login && requested.Domain == domain);

    private static bool TryDecode(string text, out byte[] data)
    {
        text = text.Trim();
        data = [];
        if (text.Length == 0 || text == "=") return true;
        try
        {
            data = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static SaslOutcome Failure(string condition, string? text = null)
    {
        var failure = new XElement(Ns.Sasl + "failure", new XElement(Ns.Sasl + condition));
        if (text is not null) failure.Add(new XElement(Ns.Sasl + "text", text));
        return new SaslOutcome(failure, null);
    }

    internal static byte[] NewFakeSaltKey() => RandomNumberGenerator.GetBytes(32);
}

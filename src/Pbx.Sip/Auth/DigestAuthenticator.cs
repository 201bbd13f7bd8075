using System.Globalization;
using System.Text;
using Pbx.Sip.Messages;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Auth;

/// <summary>
/// Server side of SIP digest authentication (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): builds challenges with stateless
/// nonces and verifies Authorization / Proxy-Authorization against stored HA1 values.
/// </summary>
public sealed class DigestAuthenticator
{
    private readonly DigestOptions _options;
    private readonly IDigestCredentialStore _store;
    private readonly StatelessNonce _nonces;
    private readonly NonceCountTracker _counts;

    public DigestAuthenticator(DigestOptions options, IDigestCredentialStore store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _store = store;
        _nonces = new StatelessNonce(options.ServerSecret, time ?? TimeProvider.System, options.NonceLifetime);
        _counts = new NonceCountTracker(options.MaxTrackedNonces);
    }

    internal int TrackedNonceCount => _counts.Count;

    /// <summary>
    /// Challenge header values, one per offered algorithm in preference order. Send them as WWW-Authenticate in a 401
    /// (registrar/UAS) or Proxy-Authenticate in a 407 (proxy).
    /// </summary>
    public IReadOnlyList<string> CreateChallenges(string realm, bool stale = false)
    {
        string nonce = _nonces.Create(realm);
        string opaque = _nonces.CreateOpaque(realm);
        var values = new string[_options.Algorithms.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var sb = new StringBuilder(160);
            sb.Append("Digest realm=\"").Append(Escape(realm)).Append("\", nonce=\"").Append(nonce)
              .Append("\", opaque=\"").Append(opaque).Append("\", algorithm=").Append(_options.Algorithms[i].GetName())
              .Append(", qop=\"auth\"");
            if (stale) sb.Append(", stale=true");
            values[i] = sb.ToString();
        }
        return values;
    }

    /// <summary>Writes the challenge headers: WWW-Authenticate for a 401, Proxy-Authenticate for a 407 (<paramref name="proxy"/>).</summary>
    public void WriteChallenges(SipMessageWriter writer, string realm, bool proxy, bool stale = false)
    {
        var kind = proxy ? HeaderKind.ProxyAuthenticate : HeaderKind.WwwAuthenticate;
        foreach (var value in CreateChallenges(realm, stale)) writer.WriteHeader(kind, value);
    }

    /// <summary>Verifies the request's credentials of the given kind (Authorization or Proxy-Authorization) for a realm.</summary>
    public DigestVerification Verify(SipMessage request, HeaderKind credentialsHeader, string realm)
    {
        if (credentialsHeader is not (HeaderKind.Authorization or HeaderKind.ProxyAuthorization))
        {
            throw new ArgumentOutOfRangeException(nameof(credentialsHeader));
        }
        DigestCredentials? chosen = null;
        for (int i = 0; i < request.HeaderCount; i++)
        {
            var h = request.GetHeader(i);
            if (h.Kind != credentialsHeader) continue;
            if (!DigestCredentials.TryParse(h.Value, out var c, out string error)) return new(DigestOutcome.Malformed, null, error);
            if (c!.IsDigest && string.Equals(c.Realm, realm, StringComparison.Ordinal))
            {
                chosen = c;
                break;
            }
        }
        if (chosen is null) return new(DigestOutcome.Missing, null, "No Digest credentials for realm");
        return Verify(chosen, request.MethodString, request.RequestUri, realm);
    }

    /// <summary>Verifies parsed credentials; <paramref name="requestUri"/> is compared with the digest-uri.</summary>
    public DigestVerification Verify(DigestCredentials credentials, string method, SipUri requestUri, string realm)
    {
        var c = credentials;
        string? user = c.Username;
        if (!c.IsDigest) return new(DigestOutcome.Missing, user, "Not a Digest scheme");
        if (!string.Equals(c.Realm, realm, StringComparison.Ordinal)) return new(DigestOutcome.Missing, user, "Wrong realm");
        if (!DigestAlgorithms.TryParse(c.Algorithm, out var algorithm) || !_options.Algorithms.Contains(algorithm))
        {
            return new(DigestOutcome.Missing, user, "Unsupported algorithm");
        }
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(c.Nonce) || string.IsNullOrEmpty(c.Uri) || string.IsNullOrEmpty(c.Response))
        {
            return new(DigestOutcome.Malformed, user, "Missing digest parameter");
        }
        if (!string.Equals(c.Qop, "auth", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(c.CNonce)
            || !TryParseNonceCount(c.NonceCount, out uint nc))
        {
            // RFC 7616 requires qop; RFC 2069-style responses without it cannot be protected against replay.
            return new(DigestOutcome.Malformed, user, "qop=auth with cnonce and nc is required");
        }
        if (!UriMatches(c.Uri, requestUri)) return new(DigestOutcome.Malformed, user, "digest-uri does not match Request-URI");
        if (c.Opaque is not null && c.Opaque != _nonces.CreateOpaque(realm)) return new(DigestOutcome.Rejected, user, "Opaque mismatch");

        var nonceState = _nonces.Check(c.Nonce, realm);
        if (nonceState == NonceState.Invalid) return new(DigestOutcome.Rejected, user, "Nonce not issued by this server");
        if (!_store.TryGetHa1(user, realm, algorithm, out string ha1)) return new(DigestOutcome.Rejected, user, "Unknown user");

        string expected = DigestHash.ComputeResponse(algorithm, ha1, c.Nonce, c.NonceCount, c.CNonce, c.Qop, method, c.Uri);
        if (!DigestHash.HexEquals(expected, c.Response)) return new(DigestOutcome.Rejected, user, "Wrong response");
        if (nonceState == NonceState.Expired) return new(DigestOutcome.Stale, user, "Nonce expired");
        if (!_counts.TryAccept(c.Nonce, nc)) return new(DigestOutcome.Stale, user, "Nonce count replayed");
        return new(DigestOutcome.Success, user, "");
    }

    private static bool TryParseNonceCount(string? nc, out uint value)
    {
        value = 0;
        return nc is { Length: 8 } && uint.TryParse(nc, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value > 0;
    }

    private static bool UriMatches(string digestUri, SipUri requestUri)
    {
        if (requestUri.IsEmpty) return false;
        if (digestUri == requestUri.ToString()) return true;
        return SipUri.TryParse(digestUri, out var parsed) && parsed.EquivalentTo(requestUri);
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}

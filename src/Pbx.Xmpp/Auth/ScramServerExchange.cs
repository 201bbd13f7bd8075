using System.Security.Cryptography;
using System.Text;

namespace Pbx.Xmpp.Auth;

/// <summary>
/// Server side of SCRAM (RFC 5802, RFC 7677) without channel binding. Works from stored keys only;
/// an unknown user gets a plausible fake salt so that probing cannot tell accounts apart.
/// </summary>
internal sealed class ScramServerExchange
{
    private enum State { AwaitingClientFirst, AwaitingClientFinal, Finished }

    private readonly ScramHash _hash;
    private readonly Func<string, CancellationToken, ValueTask<ScramCredential?>> _lookup;
    private readonly string _serverNonce;
    private readonly byte[] _fakeSaltKey;
    private State _state = State.AwaitingClientFirst;
    private ScramCredential? _credential;
    private bool _userKnown;
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _combinedNonce = "";

    public ScramServerExchange(
        ScramHash hash,
        Func<string, CancellationToken, ValueTask<ScramCredential?>> lookup,
        byte[] fakeSaltKey,
        string? serverNonce = null)
    {
        _hash = hash;
        _lookup = lookup;
        _fakeSaltKey = fakeSaltKey;
        _serverNonce = serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    }

    public string MechanismName => _hash == ScramHash.Sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-1";

    /// <summary>The SCRAM user name after un-escaping, known once the first message was parsed.</summary>
    public string? UserName { get; private set; }

    /// <summary>The authorization identity the client asked for, if any.</summary>
    public string? AuthorizationId { get; private set; }

    public async ValueTask<SaslStep> StepAsync(byte[] clientMessage, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(clientMessage);
        }
        catch (DecoderFallbackException)
        {
            return Fail(SaslFailures.MalformedRequest);
        }
        switch (_state)
        {
            case State.AwaitingClientFirst:
                return await HandleClientFirstAsync(text, cancellationToken).ConfigureAwait(false);
            case State.AwaitingClientFinal:
                return HandleClientFinal(text);
            default:
                return Fail(SaslFailures.MalformedRequest);
        }
    }

    private async ValueTask<SaslStep> HandleClientFirstAsync(string message, CancellationToken cancellationToken)
    {
        // gs2-header = cbind-flag "," [authzid] ","
        int firstComma = message.IndexOf(',');
        int secondComma = firstComma < 0 ? -1 : message.IndexOf(',', firstComma + 1);
        if (secondComma < 0) return Fail(SaslFailures.MalformedRequest);
        string cbindFlag = message[..firstComma];
        if (cbindFlag != "n" && cbindFlag != "y") return Fail(SaslFailures.MalformedRequest);
        string authzPart = message[(firstComma + 1)..secondComma];
        if (authzPart.Length > 0)
        {
            if (!authzPart.StartsWith("a=", StringComparison.Ordinal)) return Fail(SaslFailures.MalformedRequest);
            AuthorizationId = Unescape(authzPart[2..]);
            if (AuthorizationId is null) return Fail(SaslFailures.MalformedRequest);
        }
        _gs2Header = message[..(secondComma + 1)];
        _clientFirstBare = message[(secondComma + 1)..];

        var attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal)
            || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return Fail(SaslFailures.MalformedRequest);
        }
        var user = Unescape(attributes[0][2..]);
        var clientNonce = attributes[1][2..];
        if (string.IsNullOrEmpty(user) || clientNonce.Length == 0) return Fail(SaslFailures.MalformedRequest);
        UserName = ScramCredentialDeriver.SaslPrep(user);

        _credential = await _lookup(UserName, cancellationToken).ConfigureAwait(false);
        _userKnown = _credential is not null && _credential.Hash == _hash;
        if (!_userKnown) _credential = FakeCredential(UserName);

        _combinedNonce = clientNonce + _serverNonce;
        _serverFirst = $"r={_combinedNonce},s={Convert.ToBase64String(_credential!.Salt)},i={_credential.Iterations}";
        _state = State.AwaitingClientFinal;
        return SaslStep.Challenge(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep HandleClientFinal(string message)
    {
        int proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0) return Fail(SaslFailures.MalformedRequest);
        string withoutProof = message[..proofAt];
        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return Fail(SaslFailures.MalformedRequest);
        }
        var attributes = withoutProof.Split(',');
        if (attributes.Length < 2
            || attributes[0] != "c=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))
            || attributes[1] != "r=" + _combinedNonce)
        {
            return Fail(SaslFailures.NotAuthorized);
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = ScramPrimitives.Hmac(_hash, credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length) return Fail(SaslFailures.NotAuthorized);
        var clientKey = new byte[proof.Length];
        for (int i = 0; i < clientKey.Length; i++) clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        var computedStoredKey = ScramPrimitives.Hash(_hash, clientKey);
        bool valid = CryptographicOperations.FixedTimeEquals(computedStoredKey, credential.StoredKey) && _userKnown;
        if (!valid) return Fail(SaslFailures.NotAuthorized);

        var serverSignature = ScramPrimitives.Hmac(_hash, credential.ServerKey, authMessage);
        _state = State.Finished;
        return SaslStep.Success(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    private ScramCredential FakeCredential(string user)
    {
        var salt = HMACSHA256.HashData(_fakeSaltKey, Encoding.UTF8.GetBytes(user)).AsSpan(0, 16).ToArray();
        int length = ScramPrimitives.HashLength(_hash);
        return new ScramCredential(_hash, salt, ScramCredentialDeriver.DefaultIterations,
            RandomNumberGenerator.GetBytes(length), RandomNumberGenerator.GetBytes(length));
    }

    private SaslStep Fail(string condition)
    {
        _state = State.Finished;
        return SaslStep.Fail(condition);
    }

    /// <summary>RFC 5802 §5.1: ',' and '=' travel as "=2C" and "=3D"; any other '=' is malformed.</summary>
    private static string? Unescape(string value)
    {
        if (!value.Contains('=')) return value;
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '=')
            {
                builder.Append(value[i]);
                continue;
            }
            if (i + 2 >= value.Length) return null;
            var code = value.AsSpan(i + 1, 2);
            if (code.SequenceEqual("2C")) builder.Append(',');
            else if (code.SequenceEqual("3D")) builder.Append('=');
            else return null;
            i += 2;
        }
        return builder.ToString();
    }
}

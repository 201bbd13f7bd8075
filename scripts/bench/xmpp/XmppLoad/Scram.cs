using System.Security.Cryptography;
using System.Text;

namespace Pbx.Bench.XmppLoad;

/// <summary>Client side of SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding.</summary>
internal sealed class ScramClient
{
    private readonly HashAlgorithmName _hash;
    private readonly string _user;
    private readonly string _password;
    private readonly string _clientNonce;
    private string _clientFirstBare = "";
    private string _authMessage = "";
    private byte[] _saltedPassword = [];

    public ScramClient(string mechanism, string user, string password)
    {
        _hash = mechanism switch
        {
            "SCRAM-SHA-1" => HashAlgorithmName.SHA1,
            "SCRAM-SHA-256" => HashAlgorithmName.SHA256,
            _ => throw new ArgumentException("unsupported mechanism " + mechanism, nameof(mechanism)),
        };
        _user = user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
        _password = password;
        _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    }

    public string ClientFirst()
    {
        _clientFirstBare = $"n={_user},r={_clientNonce}";
        return "n,," + _clientFirstBare;
    }

    public string ClientFinal(string serverFirst)
    {
        string? nonce = null, salt = null, iterations = null;
        foreach (var part in serverFirst.Split(','))
        {
            if (part.Length < 2 || part[1] != '=') continue;
            switch (part[0])
            {
                case 'r': nonce = part[2..]; break;
                case 's': salt = part[2..]; break;
                case 'i': iterations = part[2..]; break;
            }
        }
        if (nonce is null || salt is null || iterations is null) throw new InvalidOperationException("bad server-first-message: " + serverFirst);
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal)) throw new InvalidOperationException("server nonce does not extend ours");
        int count = int.Parse(iterations, System.Globalization.CultureInfo.InvariantCulture);
        int length = _hash == HashAlgorithmName.SHA256 ? 32 : 20;
        _saltedPassword = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(_password), Convert.FromBase64String(salt), count, _hash, length);
        var clientKey = Hmac(_saltedPassword, "Client Key"u8.ToArray());
        var storedKey = _hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA1.HashData(clientKey);
        string withoutProof = "c=biws,r=" + nonce; // biws = base64("n,,")
        _authMessage = $"{_clientFirstBare},{serverFirst},{withoutProof}";
        var signature = Hmac(storedKey, Encoding.UTF8.GetBytes(_authMessage));
        var proof = new byte[clientKey.Length];
        for (int i = 0; i < proof.Length; i++) proof[i] = (byte)(clientKey[i] ^ signature[i]);
        return withoutProof + ",p=" + Convert.ToBase64String(proof);
    }

    /// <summary>Checks the server signature (v=) carried by the SASL success.</summary>
    public bool VerifyServerFinal(string serverFinal)
    {
        var serverKey = Hmac(_saltedPassword, "Server Key"u8.ToArray());
        var expected = "v=" + Convert.ToBase64String(Hmac(serverKey, Encoding.UTF8.GetBytes(_authMessage)));
        return string.Equals(serverFinal.Trim(), expected, StringComparison.Ordinal);
    }

    private byte[] Hmac(byte[] key, byte[] data) =>
        _hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);
}

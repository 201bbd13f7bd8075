using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pbx.Sip.Auth;

internal enum NonceState : byte
{
    Valid,
    Expired,
    Invalid,
}

/// <summary>
/// Nonce = base64url(issued-at ms | 8 random bytes | HMAC-SHA256(secret, issued-at | random | realm)[..16]).
/// The server keeps no state to validate it; the realm is bound so a nonce from one realm is useless in another.
/// </summary>
internal sealed class StatelessNonce
{
    private const int TimeBytes = 8;
    private const int SaltBytes = 8;
    private const int MacBytes = 16;
    private const int TotalBytes = TimeBytes + SaltBytes + MacBytes;

    private readonly byte[] _secret;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public StatelessNonce(byte[] secret, TimeProvider time, TimeSpan lifetime)
    {
        _secret = secret;
        _time = time;
        _lifetime = lifetime;
    }

    public string Create(string realm)
    {
        Span<byte> nonce = stackalloc byte[TotalBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(TimeBytes, SaltBytes));
        Mac(nonce[..(TimeBytes + SaltBytes)], realm, nonce[(TimeBytes + SaltBytes)..]);
        return Base64Url.EncodeToString(nonce);
    }

    public NonceState Check(string nonce, string realm)
    {
        Span<byte> raw = stackalloc byte[TotalBytes + 3];
        if (nonce.Length > 64 || !Base64Url.TryDecodeFromChars(nonce, raw, out int n) || n != TotalBytes) return NonceState.Invalid;
        Span<byte> expected = stackalloc byte[MacBytes];
        Mac(raw[..(TimeBytes + SaltBytes)], realm, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, raw.Slice(TimeBytes + SaltBytes, MacBytes))) return NonceState.Invalid;
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        var age = _time.GetUtcNow() - issued;
        if (age < TimeSpan.FromSeconds(-5)) return NonceState.Invalid;
        return age > _lifetime ? NonceState.Expired : NonceState.Valid;
    }

    public string CreateOpaque(string realm)
    {
        Span<byte> mac = stackalloc byte[MacBytes];
        Mac("opaque"u8, realm, mac);
        return Base64Url.EncodeToString(mac);
    }

    private void Mac(ReadOnlySpan<byte> data, string realm, Span<byte> destination)
    {
        byte[] input = new byte[data.Length + Encoding.UTF8.GetByteCount(realm)];
        data.CopyTo(input);
        Encoding.UTF8.GetBytes(realm, input.AsSpan(data.Length));
        Span<byte> full = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input, full);
        full[..destination.Length].CopyTo(destination);
    }
}

using System.Security.Cryptography;
using System.Text;
using Pbx.Calls.Trunks;
using Pbx.Sip.Auth;

namespace Pbx.Calls.Tests.Trunks;

public sealed class DigestClientTests
{
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    private static DigestCredentials Parse(string value)
    {
        Assert.True(DigestCredentials.TryParse(Encoding.UTF8.GetBytes(value), out var parsed, out var error), error);
        return parsed!;
    }

    [Fact]
    public void A_qop_auth_challenge_is_answered_as_RFC_2617_computes_it()
    {
        var answer = DigestClient.Answer("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""u8,
            "INVITE", "sip:+49301234567@sip.example.net", "Mufasa", "Circle Of Life", configuredRealm: null);

        var credentials = Parse(answer!);
        var ha1 = Md5("Mufasa:testrealm@host.com:Circle Of Life");
        var ha2 = Md5("INVITE:sip:+49301234567@sip.example.net");
        Assert.Equal(Md5($"{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:{credentials.CNonce}:auth:{ha2}"), credentials.Response);
        Assert.Equal(("Mufasa", "testrealm@host.com", "auth", "00000001"), (credentials.Username, credentials.Realm, credentials.Qop, credentials.NonceCount));
        Assert.Equal("5ccc069c403ebaf9f0171e9517f40e41", credentials.Opaque);
        Assert.Equal("sip:+49301234567@sip.example.net", credentials.Uri);
    }

    [Fact]
    public void A_challenge_without_qop_gets_the_RFC_2069_response()
    {
        var answer = DigestClient.Answer("Digest realm=\"provider\", nonce=\"abc\""u8, "REGISTER", "sip:provider", "pbx", "pw", null);

        var credentials = Parse(answer!);
        Assert.Equal(Md5($"{Md5("pbx:provider:pw")}:abc:{Md5("REGISTER:sip:provider")}"), credentials.Response);
        Assert.Null(credentials.Qop);
        Assert.Null(credentials.CNonce);
    }

    [Theory]
    [InlineData("Digest realm=\"other\", nonce=\"abc\"")]
    [InlineData("Digest realm=\"provider\", nonce=\"abc\", qop=\"auth-int\"")]
    [InlineData("Digest realm=\"provider\", nonce=\"abc\", algorithm=SHA-512")]
    [InlineData("Basic realm=\"provider\"")]
    [InlineData("Digest realm=\"provider\"")]
    public void Challenges_we_cannot_or_should_not_answer_get_null(string challenge) =>
        Assert.Null(DigestClient.Answer(Encoding.UTF8.GetBytes(challenge), "INVITE", "sip:x@provider", "pbx", "pw", configuredRealm: "provider"));
}

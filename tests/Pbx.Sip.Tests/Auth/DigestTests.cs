using System.Text;
using Pbx.Sip.Auth;
using Pbx.Sip.Messages;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Uris;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Auth;

public class DigestTests
{
    private const string Realm = "pbx.example.com";
    private const string User = "alice";
    private const string Password = "s3cret pass";

    private sealed class Store : IDigestCredentialStore
    {
        public bool TryGetHa1(string username, string realm, DigestAlgorithm algorithm, out string ha1)
        {
            ha1 = username == User ? DigestHash.ComputeHa1(algorithm, User, Realm, Password) : "";
            return username == User && realm == Realm;
        }
    }

    private readonly ManualTimeProvider _time = new();
    private readonly DigestAuthenticator _auth;

    public DigestTests()
    {
        _auth = new DigestAuthenticator(new DigestOptions { ServerSecret = new byte[32], NonceLifetime = TimeSpan.FromMinutes(5) }, new Store(), _time);
    }

    [Fact]
    public void Rfc2617_section_3_5_vector()
    {
        string ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
        string response = DigestHash.ComputeResponse(DigestAlgorithm.Md5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth", "GET", "/dir/index.html");
        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5, "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData(DigestAlgorithm.Sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Rfc7616_section_3_9_1_vectors(DigestAlgorithm algorithm, string expected)
    {
        string ha1 = DigestHash.ComputeHa1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life");
        string response = DigestHash.ComputeResponse(algorithm, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html");
        Assert.Equal(expected, response);
    }

    [Fact]
    public void Rfc7616_authorization_header_parses()
    {
        var value = """Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS" """;
        Assert.True(DigestCredentials.TryParse(Encoding.UTF8.GetBytes(value), out var c, out _));
        Assert.Equal("Mufasa", c!.Username);
        Assert.Equal("SHA-256", c.Algorithm);
        Assert.Equal("00000001", c.NonceCount);
        Assert.Equal("auth", c.Qop);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Md5)]
    public void Challenge_then_valid_credentials_succeed(DigestAlgorithm algorithm)
    {
        var challenge = PickChallenge(algorithm);
        Assert.Contains("qop=\"auth\"", challenge);
        Assert.Contains($"realm=\"{Realm}\"", challenge);
        Assert.Contains($"algorithm={algorithm.GetName()}", challenge);
        using var request = Register(Answer(challenge, algorithm, Password, nc: 1));
        var result = _auth.Verify(request, HeaderKind.Authorization, Realm);
        Assert.Equal(DigestOutcome.Success, result.Outcome);
        Assert.Equal(User, result.Username);
    }

    [Fact]
    public void Sha256_is_offered_before_md5()
    {
        var challenges = _auth.CreateChallenges(Realm);
        Assert.Contains("algorithm=SHA-256", challenges[0]);
        Assert.Contains("algorithm=MD5", challenges[1]);
    }

    [Fact]
    public void Wrong_password_is_rejected()
    {
        using var request = Register(Answer(PickChallenge(DigestAlgorithm.Md5), DigestAlgorithm.Md5, "guess", nc: 1));
        Assert.Equal(DigestOutcome.Rejected, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Expired_nonce_with_right_password_is_stale()
    {
        var challenge = PickChallenge(DigestAlgorithm.Sha256);
        _time.Advance(TimeSpan.FromMinutes(6));
        using var request = Register(Answer(challenge, DigestAlgorithm.Sha256, Password, nc: 1));
        var result = _auth.Verify(request, HeaderKind.Authorization, Realm);
        Assert.Equal(DigestOutcome.Stale, result.Outcome);
        Assert.True(result.Stale);
        Assert.Contains("stale=true", _auth.CreateChallenges(Realm, stale: result.Stale)[0]);
    }

    [Fact]
    public void Expired_nonce_with_wrong_password_is_not_stale()
    {
        var challenge = PickChallenge(DigestAlgorithm.Sha256);
        _time.Advance(TimeSpan.FromMinutes(6));
        using var request = Register(Answer(challenge, DigestAlgorithm.Sha256, "guess", nc: 1));
        Assert.Equal(DigestOutcome.Rejected, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Replayed_nonce_count_is_refused_and_next_count_accepted()
    {
        var challenge = PickChallenge(DigestAlgorithm.Sha256);
        using (var first = Register(Answer(challenge, DigestAlgorithm.Sha256, Password, nc: 1)))
        {
            Assert.Equal(DigestOutcome.Success, _auth.Verify(first, HeaderKind.Authorization, Realm).Outcome);
            Assert.Equal(DigestOutcome.Stale, _auth.Verify(first, HeaderKind.Authorization, Realm).Outcome);
        }
        using var second = Register(Answer(challenge, DigestAlgorithm.Sha256, Password, nc: 2));
        Assert.Equal(DigestOutcome.Success, _auth.Verify(second, HeaderKind.Authorization, Realm).Outcome);
        using var late = Register(Answer(challenge, DigestAlgorithm.Sha256, Password, nc: 2));
        Assert.Equal(DigestOutcome.Stale, _auth.Verify(late, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Nonce_tracking_is_bounded()
    {
        var auth = new DigestAuthenticator(new DigestOptions { ServerSecret = new byte[32], MaxTrackedNonces = 16 }, new Store(), _time);
        for (int i = 0; i < 50; i++)
        {
            var challenge = auth.CreateChallenges(Realm)[0];
            using var request = Register(Answer(challenge, DigestAlgorithm.Sha256, Password, nc: 1));
            Assert.Equal(DigestOutcome.Success, auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
        }
        Assert.Equal(16, auth.TrackedNonceCount);
    }

    [Fact]
    public void Wrong_realm_asks_for_credentials()
    {
        string answer = Answer(PickChallenge(DigestAlgorithm.Md5), DigestAlgorithm.Md5, Password, nc: 1).Replace($"realm=\"{Realm}\"", "realm=\"other.example.com\"");
        using var request = Register(answer);
        Assert.Equal(DigestOutcome.Missing, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Forged_nonce_is_rejected()
    {
        var challenge = PickChallenge(DigestAlgorithm.Md5);
        string nonce = Param(challenge, "nonce");
        char[] chars = nonce.ToCharArray();
        chars[^3] = chars[^3] == 'A' ? 'B' : 'A';
        string forged = challenge.Replace(nonce, new string(chars));
        using var request = Register(Answer(forged, DigestAlgorithm.Md5, Password, nc: 1));
        Assert.Equal(DigestOutcome.Rejected, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Theory]
    [InlineData("Digest username=\"alice\", realm=\"pbx.example.com\", nonce=\"abc")]
    [InlineData("Digest username")]
    [InlineData("Digest username=\"a\", username=\"b\"")]
    public void Malformed_header_is_reported(string value)
    {
        using var request = Register(value);
        Assert.Equal(DigestOutcome.Malformed, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Digest_uri_must_match_request_uri()
    {
        string answer = Answer(PickChallenge(DigestAlgorithm.Md5), DigestAlgorithm.Md5, Password, nc: 1, uri: "sip:elsewhere.example.com");
        using var request = Register(answer);
        Assert.Equal(DigestOutcome.Malformed, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
    }

    [Fact]
    public void Unknown_scheme_rfc4475_regaut01_asks_for_credentials()
    {
        using var m = ParseOk(Torture("regaut01"));
        var result = _auth.Verify(m, HeaderKind.Authorization, Realm);
        Assert.Equal(DigestOutcome.Missing, result.Outcome);
    }

    [Fact]
    public void Proxy_authorization_is_verified_separately()
    {
        string answer = Answer(PickChallenge(DigestAlgorithm.Md5), DigestAlgorithm.Md5, Password, nc: 1);
        using var request = ParseOk(TestMessages.Register.Replace("Expires: 7200", "Expires: 7200\nProxy-Authorization: " + answer));
        Assert.Equal(DigestOutcome.Missing, _auth.Verify(request, HeaderKind.Authorization, Realm).Outcome);
        Assert.Equal(DigestOutcome.Success, _auth.Verify(request, HeaderKind.ProxyAuthorization, Realm).Outcome);
    }

    private string PickChallenge(DigestAlgorithm algorithm) =>
        _auth.CreateChallenges(Realm).Single(c => c.Contains("algorithm=" + algorithm.GetName(), StringComparison.Ordinal));

    private static string Param(string header, string name)
    {
        int i = header.IndexOf(name + "=\"", StringComparison.Ordinal) + name.Length + 2;
        return header[i..header.IndexOf('"', i)];
    }

    // What a phone sends back: a client-side digest computed from the plaintext password.
    private static string Answer(string challenge, DigestAlgorithm algorithm, string password, uint nc, string uri = "sip:registrar.biloxi.example.com")
    {
        string nonce = Param(challenge, "nonce"), opaque = Param(challenge, "opaque"), cnonce = "0a4f113b";
        string ncText = nc.ToString("x8");
        string ha1 = DigestHash.ComputeHa1(algorithm, User, Realm, password);
        string response = DigestHash.ComputeResponse(algorithm, ha1, nonce, ncText, cnonce, "auth", "REGISTER", uri);
        return $"Digest username=\"{User}\", realm=\"{Realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm={algorithm.GetName()}, cnonce=\"{cnonce}\", opaque=\"{opaque}\", qop=auth, nc={ncText}";
    }

    private static SipMessage Register(string authorization) =>
        ParseOk(TestMessages.Register.Replace("Expires: 7200", "Expires: 7200\nAuthorization: " + authorization));
}

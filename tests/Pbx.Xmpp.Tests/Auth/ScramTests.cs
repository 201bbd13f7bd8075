using System.Text;
using Pbx.Xmpp.Auth;

namespace Pbx.Xmpp.Tests.Auth;

public sealed class ScramTests
{
    private static readonly byte[] FakeSaltKey = new byte[32];

    private static ScramServerExchange Exchange(ScramCredential credential, string user, string serverNonce) =>
        new(credential.Hash, (name, _) => ValueTask.FromResult(name == user ? credential : null), FakeSaltKey, serverNonce);

    private static async Task<SaslStep> Step(ScramServerExchange exchange, string message) =>
        await exchange.StepAsync(Encoding.UTF8.GetBytes(message), CancellationToken.None);

    private static string Text(SaslStep step) => Encoding.UTF8.GetString(step.Data!);

    [Fact]
    public async Task Rfc7677_ScramSha256_TestVector()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        var exchange = Exchange(credential, "user", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");

        var first = await Step(exchange, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        Assert.Equal(SaslStepKind.Challenge, first.Kind);
        Assert.Equal("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", Text(first));

        var final = await Step(exchange, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        Assert.Equal(SaslStepKind.Success, final.Kind);
        Assert.Equal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Text(final));
        Assert.Equal("user", exchange.UserName);
    }

    [Fact]
    public async Task Rfc5802_ScramSha1_TestVector()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha1, Convert.FromBase64String("QSXCR+Q6sek8bf92"), 4096);
        var exchange = Exchange(credential, "user", "3rfcNHYJY1ZVvWVs7j");

        var first = await Step(exchange, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
        Assert.Equal("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", Text(first));

        var final = await Step(exchange, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        Assert.Equal(SaslStepKind.Success, final.Kind);
        Assert.Equal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", Text(final));
    }

    [Fact]
    public void Derived_material_matches_rfc7677_keys_and_never_contains_the_password()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        Assert.Equal(32, credential.StoredKey.Length);
        Assert.Equal(32, credential.ServerKey.Length);
        Assert.Equal(4096, credential.Iterations);
        var random = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256);
        Assert.NotEqual(credential.Salt, random.Salt);
        Assert.NotEqual(credential.StoredKey, random.StoredKey);
    }

    [Fact]
    public async Task Wrong_proof_is_rejected()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        var exchange = Exchange(credential, "user", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        await Step(exchange, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        var final = await Step(exchange, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        Assert.Equal(SaslStepKind.Failure, final.Kind);
        Assert.Equal(SaslFailures.NotAuthorized, final.FailureCondition);
    }

    [Fact]
    public async Task Nonce_tampering_is_rejected()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256, Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        var exchange = Exchange(credential, "user", "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        await Step(exchange, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        var final = await Step(exchange, "c=biws,r=rOprNGfwEbeRWgbNEkqOOTHER,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        Assert.Equal(SaslStepKind.Failure, final.Kind);
    }

    [Fact]
    public async Task Unknown_user_gets_a_stable_fake_salt_and_fails_at_the_end()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256);
        var first1 = await Step(Exchange(credential, "user", "N1"), "n,,n=ghost,r=abc");
        var first2 = await Step(Exchange(credential, "user", "N1"), "n,,n=ghost,r=abc");
        Assert.Equal(SaslStepKind.Challenge, first1.Kind);
        Assert.Equal(Text(first1), Text(first2));

        var exchange = Exchange(credential, "user", "N1");
        await Step(exchange, "n,,n=ghost,r=abc");
        var final = await Step(exchange, "c=biws,r=abcN1,p=" + Convert.ToBase64String(new byte[32]));
        Assert.Equal(SaslStepKind.Failure, final.Kind);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc")]
    [InlineData("n,,r=abc")]
    [InlineData("garbage")]
    [InlineData("n,,n=us=ZZer,r=abc")]
    [InlineData("n,,n=user,r=")]
    public async Task Malformed_client_first_messages_fail(string message)
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256);
        var step = await Step(Exchange(credential, "user", "N1"), message);
        Assert.Equal(SaslStepKind.Failure, step.Kind);
    }

    [Fact]
    public async Task Escaped_user_names_are_decoded()
    {
        var credential = ScramCredentialDeriver.Derive("pencil", ScramHash.Sha256);
        var exchange = Exchange(credential, "a,b=c", "N1");
        var step = await Step(exchange, "n,,n=a=2Cb=3Dc,r=abc");
        Assert.Equal(SaslStepKind.Challenge, step.Kind);
        Assert.Equal("a,b=c", exchange.UserName);
    }
}

using Pbx.Xmpp.Auth;

namespace Pbx.Xmpp.Tests.Auth;

public sealed class ScramPasswordVerificationTests
{
    [Theory]
    [InlineData(ScramHash.Sha1)]
    [InlineData(ScramHash.Sha256)]
    public void Stored_material_verifies_the_right_password_only(ScramHash hash)
    {
        var credential = ScramCredentialDeriver.Derive("correct horse", hash, 1024);
        Assert.True(ScramCredentialDeriver.VerifyPassword("correct horse", credential));
        Assert.False(ScramCredentialDeriver.VerifyPassword("correct horse ", credential));
        Assert.False(ScramCredentialDeriver.VerifyPassword("", credential));
    }
}

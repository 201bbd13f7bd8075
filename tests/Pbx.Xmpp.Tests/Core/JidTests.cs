using Pbx.Xmpp.Core;

namespace Pbx.Xmpp.Tests.Core;

public sealed class JidTests
{
    [Theory]
    [InlineData("Alice@PBX.test/Phone", "alice", "pbx.test", "Phone")]
    [InlineData("pbx.test", null, "pbx.test", null)]
    [InlineData("bob@pbx.test/res/with@slash", "bob", "pbx.test", "res/with@slash")]
    [InlineData("1001@pbx.test", "1001", "pbx.test", null)]
    public void Parses_and_normalizes(string text, string? local, string domain, string? resource)
    {
        var jid = Jid.Parse(text);
        Assert.Equal(local, jid.Local);
        Assert.Equal(domain, jid.Domain);
        Assert.Equal(resource, jid.Resource);
    }

    [Theory]
    [InlineData("")]
    [InlineData("@pbx.test")]
    [InlineData("a b@pbx.test")]
    [InlineData("alice@pbx.test/")]
    [InlineData("al<ice@pbx.test")]
    public void Rejects_invalid(string text) => Assert.False(Jid.TryParse(text, out _));

    [Fact]
    public void Equality_ignores_localpart_case_but_not_resource_case()
    {
        Assert.Equal(Jid.Parse("ALICE@pbx.test/r"), Jid.Parse("alice@pbx.test/r"));
        Assert.NotEqual(Jid.Parse("alice@pbx.test/R"), Jid.Parse("alice@pbx.test/r"));
        Assert.Equal(Jid.Parse("alice@pbx.test"), Jid.Parse("alice@pbx.test/r").Bare);
    }
}

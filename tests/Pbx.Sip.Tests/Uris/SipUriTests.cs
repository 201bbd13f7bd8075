using Pbx.Sip.Uris;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Uris;

public class SipUriTests
{
    [Fact]
    public void Parses_all_sip_uri_parts()
    {
        var uri = SipUri.Parse("sips:alice:secret@atlanta.example.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent");
        Assert.Equal(UriScheme.Sips, uri.Scheme);
        Assert.Equal("alice", Str(uri.User));
        Assert.Equal("secret", Str(uri.Password));
        Assert.Equal("atlanta.example.com", Str(uri.Host));
        Assert.Equal(5061, uri.Port);
        Assert.True(uri.TryGetParameter("TRANSPORT"u8, out var t));
        Assert.Equal("tcp", Str(t));
        Assert.True(uri.TryGetParameter("lr"u8, out var lr));
        Assert.True(lr.IsEmpty);
        Assert.True(ParameterList.TryGet(uri.Headers, "subject"u8, (byte)'&', out var subject));
        Assert.Equal("project x", UriEscaping.UnescapeToString(subject));
    }

    [Theory]
    [InlineData("sip:[2001:db8::10]:5070;transport=udp", "[2001:db8::10]", 5070)]
    [InlineData("sip:192.0.2.4", "192.0.2.4", 0)]
    [InlineData("sip:+1-212-555-1212:1234@gateway.com;user=phone", "gateway.com", 0)]
    public void Parses_hosts(string text, string host, int port)
    {
        var uri = SipUri.Parse(text);
        Assert.Equal(host, Str(uri.Host));
        Assert.Equal(port, uri.Port);
    }

    [Fact]
    public void Parses_tel_uri()
    {
        var uri = SipUri.Parse("tel:+1-201-555-0123;phone-context=example.com");
        Assert.Equal(UriScheme.Tel, uri.Scheme);
        Assert.Equal("+1-201-555-0123", Str(uri.User));
        Assert.True(uri.TryGetParameter("phone-context"u8, out var ctx));
        Assert.Equal("example.com", Str(ctx));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sip:")]
    [InlineData("sip:user@")]
    [InlineData("sip:user@host:99999")]
    [InlineData("sip:user@host;;lr")]
    [InlineData("sip:user@host; lr")]
    [InlineData("sip:us er@host")]
    [InlineData("sip:user@host?noequals")]
    [InlineData("sip:%zz@host")]
    [InlineData("<sip:user@host>")]
    [InlineData("sip:user@[::1")]
    [InlineData("tel:")]
    [InlineData("1234")]
    public void Rejects_invalid_uris(string text)
    {
        Assert.False(SipUri.TryParse(text, out _));
    }

    // RFC 3261 §19.1.4 examples.
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    [InlineData("tel:+12015550123", "TEL:+12015550123")]
    public void Equivalent_uris(string a, string b)
    {
        Assert.True(SipUri.Parse(a).EquivalentTo(SipUri.Parse(b)));
        Assert.True(SipUri.Parse(b).EquivalentTo(SipUri.Parse(a)));
    }

    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    [InlineData("sip:a%3Bb@atlanta.com", "sip:a;b@atlanta.com")]
    public void Different_uris(string a, string b)
    {
        Assert.False(SipUri.Parse(a).EquivalentTo(SipUri.Parse(b)));
        Assert.False(SipUri.Parse(b).EquivalentTo(SipUri.Parse(a)));
    }
}

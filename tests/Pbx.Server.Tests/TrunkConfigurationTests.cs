using Pbx.Server.Configuration;
using Pbx.Sip.Transports;

namespace Pbx.Server.Tests;

public sealed class TrunkConfigurationTests
{
    private static readonly (string Key, string? Value)[] ValidTrunk =
    [
        ("Trunks:0:Name", "sipgate"), ("Trunks:0:Host", "sip.example.net"), ("Trunks:0:Username", "4711"),
        ("Trunks:0:Password", "secret"), ("Trunks:0:CountryCode", "49"),
        ("Trunks:0:DialRules:0:Prefix", "0"), ("Trunks:0:DialRules:0:Strip", "1"), ("Trunks:0:DialRules:0:Prepend", "+49"),
        ("Trunks:0:Dids:0:Number", "+4930123456200"), ("Trunks:0:Dids:0:Target", "101"),
    ];

    private static LoadedConfiguration Load(params (string Key, string? Value)[] overrides) =>
        ConfigurationLoader.Load(null, ValidTrunk.Where(v => overrides.All(o => o.Key != v.Key)).Concat(overrides).ToDictionary(o => o.Key, o => o.Value));

    [Fact]
    public void No_trunks_by_default_and_a_configured_one_binds_with_its_defaults()
    {
        Assert.Empty(ConfigurationLoader.Load(null).Options!.Trunks);

        var loaded = Load();

        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var trunk = Assert.Single(loaded.Options!.Trunks).ToSettings();
        Assert.Equal(("sipgate", 5060, SipTransportKind.Udp, true, 600), (trunk.Name, trunk.Port, trunk.Transport, trunk.Register, trunk.RegisterExpirySeconds));
        Assert.Equal(new Pbx.Calls.Trunks.DialRule("0", 1, "+49"), Assert.Single(trunk.DialRules));
        Assert.Equal(new Pbx.Calls.Trunks.TrunkDid("+4930123456200", "101"), Assert.Single(trunk.Dids));
        Assert.Null(trunk.Realm);
    }

    [Theory]
    [InlineData("Trunks:0:Name", "has space", "letters, digits")]
    [InlineData("Trunks:0:Host", "bad host!", "not an IP address or host name")]
    [InlineData("Trunks:0:Port", "0", "out of range")]
    [InlineData("Trunks:0:Transport", "tls", "not one of udp, tcp")]
    [InlineData("Trunks:0:Username", "", "required when Register is true")]
    [InlineData("Trunks:0:RegisterExpirySeconds", "10", "out of range")]
    [InlineData("Trunks:0:CountryCode", "+49", "1-3 digits")]
    [InlineData("Trunks:0:Dids:0:Number", "12ab", "not a number in E.164")]
    [InlineData("Trunks:0:DialRules:0:Prefix", "", "must be digits")]
    [InlineData("Trunks:0:DialRules:0:Prepend", "x49", "must be digits")]
    [InlineData("Trunks:0:InboundNetworks:0", "10.0.0.0/33", "is not a network")]
    [InlineData("Trunks:0:Typo", "1", "unknown setting")]
    public void A_wrong_trunk_value_is_one_error_naming_the_key(string key, string value, string reason)
    {
        var loaded = Load((key, value));

        Assert.False(loaded.IsValid);
        var error = Assert.Single(loaded.Errors);
        Assert.Equal(key, error.Key);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void Two_trunks_may_not_share_a_name()
    {
        var loaded = Load(("Trunks:1:Name", "SIPGATE"), ("Trunks:1:Host", "10.0.0.1"), ("Trunks:1:Register", "false"));

        var error = Assert.Single(loaded.Errors);
        Assert.Equal("Trunks:1:Name", error.Key);
    }
}

using Pbx.Calls.Trunks;

namespace Pbx.Calls.Tests.Trunks;

public sealed class DialPlanTests
{
    private static TrunkSettings Trunk(string name, params DialRule[] rules) =>
        new() { Name = name, Host = "sip.example.net", CountryCode = "49", DialRules = rules };

    private static readonly TrunkSettings Germany = Trunk("de", new DialRule("0", 1, "+49"), new DialRule("00", 2, "+"), new DialRule("+", 0, ""));

    [Theory]
    [InlineData("0301234567", "+49301234567")]
    [InlineData("030 123-4567", "+49301234567")]
    [InlineData("00441234567890", "+441234567890")]
    [InlineData("+441234567890", "+441234567890")]
    public void A_matching_rule_rewrites_the_number_to_E164(string dialled, string expected)
    {
        var match = DialPlan.Match([Germany], dialled);

        Assert.NotNull(match);
        Assert.Equal(expected, match.E164);
        Assert.Same(Germany, match.Trunk);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("0")]
    public void Numbers_no_rule_takes_or_that_are_no_E164_number_stay_inside(string dialled) =>
        Assert.Null(DialPlan.Match([Germany], dialled));

    [Fact]
    public void The_longest_prefix_wins_across_trunks_and_the_first_trunk_among_equals()
    {
        var national = Trunk("national", new DialRule("0", 1, "+49"));
        var international = Trunk("international", new DialRule("00", 2, "+"));
        var second = Trunk("second", new DialRule("0", 1, "+49"));

        Assert.Equal("international", DialPlan.Match([national, international, second], "0044123456789")!.Trunk.Name);
        Assert.Equal("national", DialPlan.Match([national, international, second], "0301234567")!.Trunk.Name);
    }

    [Theory]
    [InlineData("+49 30 1234567", "49", "+49301234567")]
    [InlineData("0049301234567", "49", "+49301234567")]
    [InlineData("0301234567", "49", "+49301234567")]
    [InlineData("4930123456101", "49", "+4930123456101")]
    [InlineData("0301234567", "", null)]
    [InlineData("+0301234567", "49", null)]
    [InlineData("+49", "49", null)]
    [InlineData("+1234567890123456", "49", null)]
    [InlineData("anonymous", "49", null)]
    public void E164_normalisation(string number, string countryCode, string? expected) =>
        Assert.Equal(expected, DialPlan.ToE164(number, countryCode));

    [Fact]
    public void An_inbound_DID_rings_its_configured_target_else_routes_as_E164()
    {
        var trunk = Germany with { Dids = [new TrunkDid("+4930123456200", "101"), new TrunkDid("030123456300")] };

        Assert.Equal("101", InboundPlan.CalledNumber(trunk, "+4930123456200"));
        Assert.Equal("101", InboundPlan.CalledNumber(trunk, "4930123456200"));
        Assert.Equal("101", InboundPlan.CalledNumber(trunk, "030123456200"));
        Assert.Equal("+4930123456300", InboundPlan.CalledNumber(trunk, "+4930123456300"));
        Assert.Equal("+4930123456101", InboundPlan.CalledNumber(trunk, "4930123456101"));
        Assert.Equal("pbx-main", InboundPlan.CalledNumber(trunk, "pbx-main"));
    }
}

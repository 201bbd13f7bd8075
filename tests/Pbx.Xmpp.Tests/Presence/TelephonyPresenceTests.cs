using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Iq;
using Pbx.Xmpp.Messaging;
using Pbx.Xmpp.Presence;
using Pbx.Xmpp.Roster;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Server;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Presence;

public sealed class TelephonyPresenceTests
{
    private static TelephonyPresence Create() => new(new XmppServerContext(
        new XmppServerOptions { Domain = "pbx.example", RequireTls = false }, new TestUserDirectory(), new InMemoryRosterStore(),
        new InMemoryOfflineMessageStore(), new InMemoryChatArchive(), new InMemoryVCardStore(), TimeProvider.System, NullLogger.Instance));

    [Theory]
    [InlineData(PhoneState.Available, null, "available")]
    [InlineData(PhoneState.Ringing, null, "ringing")]
    [InlineData(PhoneState.OnThePhone, "dnd", "on-the-phone")]
    [InlineData(PhoneState.WrapUp, "away", "wrap-up")]
    public void The_phone_resource_carries_the_documented_element_and_never_takes_messages(PhoneState state, string? show, string name)
    {
        var presence = Create().Build("bob", new TelephonyState(state, DoNotDisturb: false, AlwaysRedirected: true));

        Assert.Equal("bob@pbx.example/phone", (string?)presence.Attribute("from"));
        Assert.Null(presence.Attribute("type"));
        Assert.Equal(show, presence.Element(Ns.Client + "show")?.Value);
        Assert.Equal("-1", presence.Element(Ns.Client + "priority")!.Value);
        var telephony = presence.Element(TelephonyPresence.Namespace + "telephony")!;
        Assert.Equal((name, "false", "true"), ((string?)telephony.Attribute("state"), (string?)telephony.Attribute("dnd"), (string?)telephony.Attribute("redirected")));
    }

    [Fact]
    public void Unavailable_is_an_unavailable_presence_and_is_not_replayed_at_login()
    {
        var telephony = Create();
        Assert.True(telephony.Update("bob", new TelephonyState(PhoneState.Available)));
        Assert.NotNull(telephony.CurrentPresence("bob"));
        Assert.False(telephony.Update("bob", new TelephonyState(PhoneState.Available)));

        Assert.True(telephony.Update("bob", new TelephonyState(PhoneState.Unavailable)));
        Assert.Null(telephony.CurrentPresence("bob"));
        Assert.Equal("unavailable", (string?)telephony.Build("bob", new TelephonyState(PhoneState.Unavailable)).Attribute("type"));
        Assert.Null(telephony.CurrentPresence("nobody"));
    }

    [Fact]
    public void Do_not_disturb_on_an_idle_phone_shows_as_dnd()
    {
        var presence = Create().Build("bob", new TelephonyState(PhoneState.Available, DoNotDisturb: true));
        Assert.Equal("dnd", presence.Element(Ns.Client + "show")!.Value);
    }
}

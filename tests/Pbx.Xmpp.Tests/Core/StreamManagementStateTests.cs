using System.Xml.Linq;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Tests.Core;

public sealed class StreamManagementStateTests
{
    [Fact]
    public void Acknowledgements_release_stanzas_in_order_and_too_high_counts_are_rejected()
    {
        var state = new StreamManagementState("id", resumable: true, maxUnacked: 10);
        for (int i = 0; i < 4; i++) Assert.True(state.Track(new XElement("m", new XAttribute("n", i))));
        Assert.True(state.Acknowledge(2));
        Assert.Equal(["2", "3"], state.Unacked().Select(e => e.Attribute("n")!.Value));
        Assert.False(state.Acknowledge(5));
        Assert.True(state.Acknowledge(4));
        Assert.Equal(0, state.UnackedCount);
    }

    [Fact]
    public void Queue_is_bounded()
    {
        var state = new StreamManagementState("id", resumable: true, maxUnacked: 3);
        Assert.True(state.Track(new XElement("a")));
        Assert.True(state.Track(new XElement("b")));
        Assert.True(state.Track(new XElement("c")));
        Assert.False(state.Track(new XElement("d")));
    }
}

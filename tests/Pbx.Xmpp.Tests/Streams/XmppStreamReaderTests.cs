using System.Text;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Streams;
using Pbx.Xmpp.Tests.Support;

namespace Pbx.Xmpp.Tests.Streams;

public sealed class XmppStreamReaderTests
{
    private const string Header =
        "<?xml version='1.0'?><stream:stream to='pbx.test' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private static (FeedStream Feed, XmppStreamReader Reader, GuardedStream Guarded) Create(long maxBytes = 256 * 1024, TimeProvider? time = null, TimeSpan? idle = null)
    {
        var feed = new FeedStream();
        var guarded = new GuardedStream(feed, time ?? TimeProvider.System, idle ?? TimeSpan.FromMinutes(5));
        return (feed, new XmppStreamReader(guarded, maxBytes), guarded);
    }

    [Fact]
    public async Task Reads_header_then_one_stanza_without_waiting_for_the_next()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        var header = await reader.ReadHeaderAsync().WaitAsync(Timeout);
        Assert.Equal("pbx.test", header.To);
        Assert.Equal("1.0", header.Version);

        feed.Feed("<message to='bob@pbx.test' type='chat'><body>hi &amp; bye</body></message>");
        // Nothing else is fed: returning proves the reader does not look past the end tag.
        var message = await reader.ReadElementAsync().WaitAsync(Timeout);
        Assert.NotNull(message);
        Assert.Equal(Stanza.Message, message.Name);
        Assert.Equal("hi & bye", message.Element(Ns.Client + "body")!.Value);
        Assert.Equal("bob@pbx.test", message.Attribute("to")!.Value);
    }

    [Fact]
    public async Task Handles_stanzas_split_across_reads_keepalives_and_empty_elements()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed(" \n ");
        feed.Feed("<presence/>");
        var presence = await reader.ReadElementAsync().WaitAsync(Timeout);
        Assert.Equal(Stanza.Presence, presence!.Name);

        feed.Feed("<iq type='get' id='1'><query xmlns='jabber:iq:ro");
        feed.Feed("ster'/></i");
        feed.Feed("q>");
        var iq = await reader.ReadElementAsync().WaitAsync(Timeout);
        Assert.Equal(Ns.Roster + "query", iq!.Elements().Single().Name);
    }

    [Fact]
    public async Task Closing_stream_tag_returns_null()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header + "</stream:stream>");
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        Assert.Null(await reader.ReadElementAsync().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Stanza_over_the_size_limit_is_a_policy_violation()
    {
        var (feed, reader, _) = Create(maxBytes: 4096);
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed("<message><body>" + new string('x', 64 * 1024) + "</body></message>");
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadElementAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.PolicyViolation, error.Condition);
    }

    [Fact]
    public async Task Many_small_stanzas_do_not_add_up_to_the_limit()
    {
        var (feed, reader, _) = Create(maxBytes: 8192);
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        for (int i = 0; i < 200; i++)
        {
            feed.Feed($"<message id='{i}'><body>{new string('y', 500)}</body></message>");
            var message = await reader.ReadElementAsync().WaitAsync(Timeout);
            Assert.Equal(i.ToString(), message!.Attribute("id")!.Value);
        }
    }

    [Fact]
    public async Task Billion_laughs_is_rejected_without_expanding_entities()
    {
        var (feed, reader, _) = Create();
        feed.Feed("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>" +
                  "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>" +
                  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><message><body>&lol3;</body></message>");
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadHeaderAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.RestrictedXml, error.Condition);
    }

    [Fact]
    public async Task Undeclared_entity_reference_is_not_well_formed()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed("<message><body>&xxe;</body></message>");
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadElementAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.NotWellFormed, error.Condition);
    }

    [Theory]
    [InlineData("<message><body>unclosed</message>")]
    [InlineData("<message to='a' to='b'/>")]
    [InlineData("<message>\u0001</message>")]
    [InlineData("<<<")]
    public async Task Malformed_xml_is_not_well_formed(string stanza)
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed(stanza);
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadElementAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.NotWellFormed, error.Condition);
    }

    [Fact]
    public async Task Comments_and_processing_instructions_are_restricted_xml()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed("<message><!-- hi --></message>");
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadElementAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.RestrictedXml, error.Condition);
    }

    [Theory]
    [InlineData("<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")]
    [InlineData("<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' version='1.0'>")]
    [InlineData("<html>")]
    public async Task Wrong_stream_namespaces_are_invalid_namespace(string header)
    {
        var (feed, reader, _) = Create();
        feed.Feed(header);
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadHeaderAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.InvalidNamespace, error.Condition);
    }

    [Fact]
    public async Task Non_utf8_declaration_is_unsupported_encoding()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Encoding.Latin1.GetBytes("<?xml version='1.0' encoding='ISO-8859-1'?>" + Header[21..]));
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadHeaderAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.UnsupportedEncoding, error.Condition);
    }

    [Fact]
    public async Task Excessive_nesting_is_refused()
    {
        var (feed, reader, _) = Create();
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        feed.Feed("<message>" + string.Concat(Enumerable.Repeat("<a>", 200)));
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => reader.ReadElementAsync().WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.PolicyViolation, error.Condition);
    }

    [Fact]
    public async Task Silence_beyond_the_idle_timeout_is_a_connection_timeout()
    {
        var clock = new ManualTimeProvider();
        var (feed, reader, guarded) = Create(time: clock, idle: TimeSpan.FromSeconds(30));
        feed.Feed(Header);
        await reader.ReadHeaderAsync().WaitAsync(Timeout);
        var pending = reader.ReadElementAsync();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<StreamErrorException>(() => pending.WaitAsync(Timeout));
        Assert.Equal(StreamErrorCondition.ConnectionTimeout, error.Condition);
        Assert.True(guarded.IdleTimedOut);
    }
}

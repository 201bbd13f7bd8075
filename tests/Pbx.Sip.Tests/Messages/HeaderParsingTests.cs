using Pbx.Sip.Messages;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

public class HeaderParsingTests
{
    private const string CompactRequest = """
        OPTIONS sip:bob@example.com SIP/2.0
        v: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bKcompact1
        f: Alice <sip:alice@example.com>;tag=a1
        t: <sip:bob@example.com>
        i: compact-1@example.com
        CSeq: 1 OPTIONS
        m: <sip:alice@client.example.com;transport=tcp>
        k: path, gruu
        c: text/plain
        e: gzip
        s: hi
        o: presence
        u: dialog
        l: 5

        hello
        """;

    [Fact]
    public void Compact_forms_map_to_their_headers()
    {
        using var m = ParseOk(CompactRequest);
        Assert.Equal("client.example.com", Str(m.TopVia.Host));
        Assert.Equal("a1", Str(m.From.Tag));
        Assert.Equal("bob", Str(m.To.Uri.User));
        Assert.Equal("compact-1@example.com", Str(m.CallId));
        Assert.Equal("alice", Str(Assert.Single(m.Contacts.ToArray()).Uri.User));
        Assert.Equal(5, m.ContentLength);
        Assert.Equal("hello", Str(m.Body));
        foreach (var (kind, value) in new[] { (HeaderKind.Supported, "path, gruu"), (HeaderKind.ContentType, "text/plain"), (HeaderKind.ContentEncoding, "gzip"), (HeaderKind.Subject, "hi"), (HeaderKind.Event, "presence"), (HeaderKind.AllowEvents, "dialog") })
        {
            Assert.True(m.TryGetHeader(kind, out var v), kind.ToString());
            Assert.Equal(value, Str(v));
        }
        Assert.True(m.TryGetHeader("Content-Type"u8, out var ct));
        Assert.Equal("text/plain", Str(ct));
        Assert.True(m.TryGetHeader("CONTENT-TYPE", out string ctString));
        Assert.Equal("text/plain", ctString);
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_allow_space_before_colon()
    {
        using var m = ParseOk(Invite.Replace("Call-ID:", "cALL-id   :").Replace("CSeq:", "cseq:"));
        Assert.Equal("a84b4c76e66710@pc33.atlanta.example.com", Str(m.CallId));
        Assert.Equal(314159u, m.CSeq.Number);
    }

    [Fact]
    public void Folded_headers_are_unfolded_by_value_parsers()
    {
        var text = Invite.Replace("To: Bob <sip:bob@biloxi.example.com>", "To:\n  Bob\n\t<sip:bob@biloxi.example.com>\n ;tag=x9");
        using var m = ParseOk(text);
        Assert.Equal("Bob", Str(m.To.DisplayName));
        Assert.Equal("x9", Str(m.To.Tag));
        Assert.Equal("biloxi.example.com", Str(m.To.Uri.Host));
    }

    [Fact]
    public void Multiple_vias_in_one_line_and_across_lines_keep_order()
    {
        var text = Invite.Replace("Max-Forwards: 70",
            "Via: SIP/2.0/TCP p2.example.com;branch=z9hG4bKp2, SIP/2.0/UDP [2001:db8::9]:5080;branch=z9hG4bKp3;received=192.0.2.7;rport=5062\nMax-Forwards: 70");
        using var m = ParseOk(text);
        Assert.Equal(3, m.Vias.Length);
        Assert.Equal("z9hG4bK776asdhds", Str(m.Vias[0].Branch));
        Assert.True(m.Vias[0].HasRport);
        Assert.Equal(0, m.Vias[0].Rport);
        Assert.Equal("p2.example.com", Str(m.Vias[1].Host));
        Assert.Equal("[2001:db8::9]", Str(m.Vias[2].Host));
        Assert.Equal(5080, m.Vias[2].Port);
        Assert.Equal("192.0.2.7", Str(m.Vias[2].Received));
        Assert.Equal(5062, m.Vias[2].Rport);
    }

    [Fact]
    public void Contact_list_respects_quotes_and_brackets()
    {
        var text = Register.Replace("Contact: <sip:bob@192.0.2.4>;expires=7200",
            "Contact: \"Bob, at home\" <sip:bob,home@192.0.2.4;a=1>;expires=60, <sip:bob@192.0.2.5>;q=0.5,sip:bob@192.0.2.6;+sip.instance=\"<urn:uuid:1,2>\"");
        using var m = ParseOk(text);
        Assert.Equal(3, m.Contacts.Length);
        Assert.Equal("Bob, at home", m.Contacts[0].GetDisplayNameString());
        Assert.True(m.Contacts[0].TryGetParameter("expires"u8, out var exp));
        Assert.Equal("60", Str(exp));
        Assert.Equal("192.0.2.5", Str(m.Contacts[1].Uri.Host));
        Assert.False(m.Contacts[2].IsNameAddr);
        Assert.True(m.Contacts[2].TryGetParameter("+sip.instance"u8, out var inst));
        Assert.Equal("\"<urn:uuid:1,2>\"", Str(inst));
    }

    [Fact]
    public void Wildcard_contact()
    {
        using var m = ParseOk(Register.Replace("Contact: <sip:bob@192.0.2.4>;expires=7200", "Contact: *").Replace("Expires: 7200", "Expires: 0"));
        Assert.True(Assert.Single(m.Contacts.ToArray()).IsWildcard);
    }

    [Fact]
    public void Quoted_string_escapes_are_resolved_on_demand()
    {
        using var m = ParseOk(Invite.Replace("\"Alice\"", "\"A \\\"quoted\\\" \\\\ name\""));
        Assert.Equal("A \\\"quoted\\\" \\\\ name", Str(m.From.DisplayName));
        Assert.Equal("A \"quoted\" \\ name", m.From.GetDisplayNameString());
    }

    [Fact]
    public void Unknown_header_values_enumerate_by_comma_outside_quotes()
    {
        using var m = ParseOk(Invite.Replace("User-Agent: TestPhone/1.0", "Allow: UPDATE\nX-List: a, \"b,c\", <sip:d,e@x>"));
        var allow = new List<string>();
        foreach (var v in m.EnumerateValues(HeaderKind.Allow)) allow.Add(Str(v));
        Assert.Equal(["UPDATE", "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"], allow);
        Assert.True(m.TryGetHeader("x-list"u8, out var raw));
        Assert.Equal("a, \"b,c\", <sip:d,e@x>", Str(raw));
    }

    [Fact]
    public void Response_parses_status_and_reason()
    {
        using var m = ParseOk("""
            SIP/2.0 180 Ringing
            Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.101
            To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
            From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
            Call-ID: a84b4c76e66710
            CSeq: 314159 INVITE
            Content-Length: 0


            """);
        Assert.True(m.IsResponse);
        Assert.Equal(180, m.StatusCode);
        Assert.Equal("Ringing", Str(m.ReasonPhrase));
        Assert.Equal("a6c85cf", Str(m.To.Tag));
    }

    [Theory]
    [InlineData("Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\n", "", "Bad Request - Missing Via")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n", "", "Bad Request - Missing Call-ID")]
    [InlineData("CSeq: 314159 INVITE", "CSeq: 314159 BYE", "Bad Request - CSeq Method Mismatch")]
    [InlineData("Max-Forwards: 70", "Max-Forwards: 256", "Bad Request - Malformed Max-Forwards")]
    [InlineData("Content-Length: 149", "Content-Length: five", "Bad Request - Malformed Content-Length")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "Call-ID: has space", "Bad Request - Malformed Call-ID")]
    [InlineData("User-Agent: TestPhone/1.0", "Broken header line", "Bad Request - Malformed Header Line")]
    public void Semantic_errors_have_reason_phrases(string find, string replace, string reason)
    {
        var result = SipMessage.Parse(Crlf(Invite.Replace(find.Replace("\n", ""), replace.Replace("\n", "")).Replace("\n\n\n", "\n\n")));
        using var _ = result.Message;
        Assert.Equal(SipParseError.Malformed, result.Error);
        Assert.Equal(reason, result.ReasonPhrase);
        Assert.Equal(400, result.SuggestedStatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\r\n")]
    [InlineData("hello world\r\n\r\n")]
    [InlineData("SIP/2.0 99 Too Low\r\n\r\n")]
    [InlineData("SIP/3.0 200 OK\r\n\r\n")]
    [InlineData("INVITE sip:a@b\r\n\r\n")]
    [InlineData("IN VITE sip:a@b SIP/2.0")]
    public void Unparsable_start_lines_are_dropped(string text)
    {
        var result = SipMessage.Parse(System.Text.Encoding.ASCII.GetBytes(text));
        Assert.Equal(SipParseError.Drop, result.Error);
        Assert.Null(result.Message);
    }

    [Fact]
    public void Leading_crlfs_are_ignored()
    {
        using var m = ParseOk(Crlf("\n\n" + Register));
        Assert.Equal(SipMethod.Register, m.Method);
    }
}

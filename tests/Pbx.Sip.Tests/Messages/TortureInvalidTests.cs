using Pbx.Sip.Messages;
using Pbx.Sip.Uris;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

/// <summary>
/// RFC 4475 §3.1.2 (invalid), §3.2 (transaction layer) and §3.3 (application layer) messages.
/// Each row says what the parser yields and why; rows that parse are rejected (or handled) above the parser,
/// and the tests below pin the values those layers rely on.
/// </summary>
public class TortureInvalidTests
{
    public static TheoryData<string, SipParseError, string> Table => new()
    {
        // §3.1.2 syntactically invalid: parser error, answered with the status the error kind suggests (responses are dropped).
        { "badinv01", SipParseError.Malformed, "Bad Request - Malformed Via" },          // empty params and values in Via
        { "clerr", SipParseError.Malformed, "Bad Request - Content-Length Exceeds Datagram" }, // UDP: 400; TCP framer waits
        { "scalar02", SipParseError.Malformed, "Bad Request - Malformed CSeq" },         // CSeq > 2^32-1 (Max-Forwards 300 too)
        { "scalarlg", SipParseError.Malformed, "Bad Request - Malformed CSeq" },         // response: transport drops it
        { "quotbal", SipParseError.Malformed, "Bad Request - Malformed To" },            // unterminated quote
        { "ltgtruri", SipParseError.Malformed, "Bad Request - Malformed Request-URI" },  // Request-URI in <>
        { "lwsruri", SipParseError.Malformed, "Bad Request - Malformed Request-URI" },   // LWS inside Request-URI
        { "lwsstart", SipParseError.Malformed, "Bad Request - Malformed Request-URI" },  // several SP in the request line
        { "trws", SipParseError.Malformed, "Bad Request - Malformed Request-Line" },      // SP after SIP-Version
        { "escruri", SipParseError.Malformed, "Bad Request - Headers In Request-URI" },  // escaped headers in Request-URI
        { "regbadct", SipParseError.Malformed, "Bad Request - Malformed Contact" },      // addr-spec Contact with URI headers
        { "badaspec", SipParseError.Malformed, "Bad Request - Malformed To" },           // spaces inside <>
        { "baddn", SipParseError.Malformed, "Bad Request - Malformed From" },            // unquoted display name with ','
        { "badvers", SipParseError.UnsupportedVersion, "SIP Version Not Supported" },    // SIP/7.0: 505
        { "mismatch01", SipParseError.Malformed, "Bad Request - CSeq Method Mismatch" },
        { "mismatch02", SipParseError.Malformed, "Bad Request - CSeq Method Mismatch" }, // RFC prefers 501, allows 400
        { "bigcode", SipParseError.Drop, "Bad status code" },                            // response code > 699: drop
        { "ncl", SipParseError.Malformed, "Bad Request - Malformed Content-Length" },    // negative Content-Length
        // §3.3 application layer errors the parser catches itself.
        { "insuf", SipParseError.Malformed, "Bad Request - Missing To" },                // no To/From/Call-ID/Max-Forwards
        { "multi01", SipParseError.Malformed, "Bad Request - Multiple CSeq Headers" },   // single-value headers repeated
        { "mcl01", SipParseError.Malformed, "Bad Request - Multiple Content-Length Headers" },
        // Syntactically valid: the parser accepts; the layer named in each test below rejects or handles it.
        { "baddate", SipParseError.None, "" },   // Date is never interpreted; RFC 4475 allows ignoring it
        { "badbranch", SipParseError.None, "" }, // transaction layer: branch == cookie only -> RFC 2543 matching
        { "bcast", SipParseError.None, "" },     // transaction layer: response with 2 Vias is discarded (§8.1.3.3)
        { "bext01", SipParseError.None, "" },    // application: 420 Bad Extension
        { "cparam01", SipParseError.None, "" },
        { "cparam02", SipParseError.None, "" },
        { "inv2543", SipParseError.None, "" },   // RFC 2543 request: transaction layer uses the fallback key
        { "invut", SipParseError.None, "" },     // application: 415 Unsupported Media Type
        { "novelsc", SipParseError.None, "" },   // application: 416 Unsupported URI Scheme
        { "regaut01", SipParseError.None, "" },  // auth: unknown scheme -> challenge again (401)
        { "regescrt", SipParseError.None, "" },  // registrar: strips/refuses Contact URI headers
        { "sdp01", SipParseError.None, "" },     // application: 415
        { "unkscm", SipParseError.None, "" },    // application: 416
        { "unksm2", SipParseError.None, "" },    // registrar: 416/400 (To is not sip:)
        { "zeromf", SipParseError.None, "" },    // proxy: 483; a UA answers OPTIONS normally
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Parser_outcome_matches_table(string name, SipParseError expected, string reason)
    {
        var result = SipMessage.Parse(Torture(name));
        try
        {
            Assert.Equal(expected, result.Error);
            Assert.Equal(reason, result.ReasonPhrase);
            if (expected is SipParseError.Malformed or SipParseError.UnsupportedVersion && result.Message is { IsRequest: true } m)
            {
                // Enough was framed to build the stateless error response.
                Assert.True(m.CountHeaders(HeaderKind.Via) > 0);
            }
        }
        finally
        {
            result.Message?.Dispose();
        }
    }

    [Fact]
    public void Every_torture_file_is_in_a_table()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "rfc4475"), "*.dat")
            .Select(Path.GetFileNameWithoutExtension).Order().ToArray();
        var valid = new[] { "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports", "mpart01", "unreason", "noreason" };
        var listed = Table.Select(row => (string)row[0]).Concat(valid).Order().ToArray();
        Assert.Equal(49, files.Length);
        Assert.Equal(listed, files);
    }

    [Fact]
    public void Badbranch_is_not_an_rfc3261_branch()
    {
        using var m = ParseOk(Torture("badbranch"));
        Assert.Equal("z9hG4bK", Str(m.TopVia.Branch));
        Assert.False(m.TopVia.IsRfc3261Branch);
    }

    [Fact]
    public void Bcast_response_has_two_vias()
    {
        using var m = ParseOk(Torture("bcast"));
        Assert.Equal(2, m.Vias.Length);
        Assert.Equal("255.255.255.255", Str(m.Vias[1].Host));
    }

    [Fact]
    public void Cparam_unknown_parameter_belongs_to_header_or_uri()
    {
        using var header = ParseOk(Torture("cparam01"));
        Assert.True(header.Contacts[0].TryGetParameter("unknownparam"u8, out _));
        Assert.False(header.Contacts[0].Uri.HasParameter("unknownparam"u8));
        using var uri = ParseOk(Torture("cparam02"));
        Assert.False(uri.Contacts[0].TryGetParameter("unknownparam"u8, out _));
        Assert.True(uri.Contacts[0].Uri.HasParameter("unknownparam"u8));
    }

    [Fact]
    public void Inv2543_has_no_max_forwards_and_body_runs_to_datagram_end()
    {
        using var m = ParseOk(Torture("inv2543"));
        Assert.Equal(-1, m.MaxForwards);
        Assert.Equal(-1, m.ContentLength);
        Assert.False(m.TopVia.HasBranch);
        Assert.EndsWith("m=audio 49217 RTP/AVP 0\r\n", Str(m.Body));
    }

    [Theory]
    [InlineData("novelsc", "soap.beep://192.0.2.103:3002")]
    [InlineData("unkscm", "nobodyKnowsThisScheme:totallyopaquecontent")]
    public void Unknown_request_uri_schemes_are_opaque(string name, string uri)
    {
        using var m = ParseOk(Torture(name));
        Assert.Equal(UriScheme.Other, m.RequestUri.Scheme);
        Assert.Equal(uri, m.RequestUri.ToString());
    }

    [Fact]
    public void Unksm2_non_sip_addresses()
    {
        using var m = ParseOk(Torture("unksm2"));
        Assert.Equal(UriScheme.Other, m.To.Uri.Scheme);
        Assert.Equal(UriScheme.Other, m.From.Uri.Scheme);
        Assert.Equal("3234233", Str(m.From.Tag));
        Assert.Equal("name:John_Smith", m.Contacts[0].Uri.ToString());
    }

    [Fact]
    public void Regescrt_contact_uri_headers_are_visible_to_the_registrar()
    {
        using var m = ParseOk(Torture("regescrt"));
        Assert.True(m.Contacts[0].Uri.HasHeaders);
        Assert.Equal("Route=%3Csip:sip.example.com%3E", Str(m.Contacts[0].Uri.Headers));
    }

    [Fact]
    public void Zeromf_bext01_sdp01_invut_values()
    {
        using (var m = ParseOk(Torture("zeromf"))) Assert.Equal(0, m.MaxForwards);
        using (var m = ParseOk(Torture("bext01")))
        {
            var require = new List<string>();
            foreach (var v in m.EnumerateValues(HeaderKind.Require)) require.Add(Str(v));
            Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], require);
        }
        using (var m = ParseOk(Torture("invut")))
        {
            Assert.True(m.TryGetHeader(HeaderKind.ContentType, out var ct));
            Assert.Equal("application/unknownformat", Str(ct));
            Assert.Equal(40, m.Body.Length);
        }
        using (var m = ParseOk(Torture("baddate")))
        {
            Assert.True(m.TryGetHeader(HeaderKind.Date, out var date));
            Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", Str(date));
        }
    }
}

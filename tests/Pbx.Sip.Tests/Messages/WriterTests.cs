using System.Net;
using Pbx.Sip.Messages;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

public class WriterTests
{
    [Fact]
    public void Response_copies_dialog_headers_adds_tag_and_fills_rport()
    {
        var text = Invite.Replace("Max-Forwards: 70", "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/TCP p2.example.com;branch=z9hG4bKp2\nMax-Forwards: 70");
        using var request = ParseOk(text);
        using var buffer = SipResponseFactory.CreateResponse(request, 180, "Ringing", "totag7", new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40123));
        using var response = ParseOk(buffer.ToArray());
        Assert.Equal(180, response.StatusCode);
        Assert.Equal("Ringing", Str(response.ReasonPhrase));
        Assert.Equal(3, response.Vias.Length);
        Assert.Equal(40123, response.Vias[0].Rport);
        Assert.Equal("198.51.100.7", Str(response.Vias[0].Received));
        Assert.Equal("z9hG4bK776asdhds", Str(response.Vias[0].Branch));
        Assert.Equal("proxy.example.com", Str(response.Vias[1].Host));
        Assert.Equal("p2.example.com", Str(response.Vias[2].Host));
        Assert.Equal("totag7", Str(response.To.Tag));
        Assert.Equal("1928301774", Str(response.From.Tag));
        Assert.Equal(Str(request.CallId), Str(response.CallId));
        Assert.Equal(314159u, response.CSeq.Number);
        Assert.Equal(SipMethod.Invite, response.CSeq.Method);
        Assert.Equal(0, response.ContentLength);
    }

    [Fact]
    public void Received_is_added_only_when_host_differs_and_rport_is_absent()
    {
        using var sameHost = ParseOk(Register.Replace("bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport", "192.0.2.4:5060;branch=z9hG4bKnashds7"));
        using var a = SipResponseFactory.CreateResponse(sameHost, 200, "OK", null, new IPEndPoint(IPAddress.Parse("192.0.2.4"), 5060));
        using var ra = ParseOk(a.ToArray());
        Assert.False(ra.TopVia.HasReceived);

        using var otherHost = ParseOk(Register.Replace(";rport", ""));
        using var b = SipResponseFactory.CreateResponse(otherHost, 200, "OK", null, new IPEndPoint(IPAddress.Parse("2001:db8::5"), 5060));
        using var rb = ParseOk(b.ToArray());
        Assert.Equal("2001:db8::5", Str(rb.TopVia.Received));
        Assert.False(rb.TopVia.HasRport);
    }

    [Fact]
    public void Existing_to_tag_is_kept()
    {
        using var request = ParseOk(Invite.Replace("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com>;tag=dialog1"));
        using var buffer = SipResponseFactory.CreateResponse(request, 200, "OK", "other");
        using var response = ParseOk(buffer.ToArray());
        Assert.Equal("dialog1", Str(response.To.Tag));
    }

    [Fact]
    public void A_request_that_failed_semantics_can_still_be_answered()
    {
        var result = SipMessage.Parse(Crlf(Invite.Replace("Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n", "")));
        using var request = result.Message!;
        Assert.Equal("Bad Request - Missing Call-ID", result.ReasonPhrase);
        using var buffer = SipResponseFactory.CreateResponse(request, result.SuggestedStatusCode, result.ReasonPhrase, "t");
        var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.StartsWith("SIP/2.0 400 Bad Request - Missing Call-ID\r\n", text);
        Assert.Contains("Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n", text);
        Assert.Contains("CSeq: 314159 INVITE\r\n", text);
        Assert.EndsWith("Content-Length: 0\r\n\r\n", text);
    }

    [Fact]
    public void Writer_builds_a_request_that_parses_back()
    {
        using var buffer = new PooledBufferWriter();
        var w = new SipMessageWriter(buffer);
        w.WriteRequestLine(SipMethod.Message, "sip:bob@example.com"u8);
        w.WriteHeader(HeaderKind.Via, "SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKw1"u8);
        w.WriteHeader(HeaderKind.MaxForwards, 70);
        w.WriteHeader(HeaderKind.From, "<sip:alice@example.com>;tag=f1");
        w.WriteHeader(HeaderKind.To, "<sip:bob@example.com>");
        w.WriteHeader(HeaderKind.CallId, "w1@example.com");
        w.WriteCSeq(7, "MESSAGE"u8);
        w.WriteHeader(HeaderKind.Subject, "folded\r\n  value"u8);
        w.WriteBody("hi there"u8, "text/plain"u8);
        using var m = ParseOk(buffer.ToArray());
        Assert.Equal("hi there", Str(m.Body));
        Assert.True(m.TryGetHeader(HeaderKind.Subject, out var subject));
        Assert.Equal("folded value", Str(subject));
    }

    [Fact]
    public void Writer_refuses_header_injection()
    {
        using var buffer = new PooledBufferWriter();
        Assert.Throws<ArgumentException>(() => new SipMessageWriter(buffer).WriteHeader(HeaderKind.Subject, "x\r\nVia: evil"u8));
        Assert.Throws<ArgumentException>(() => new SipMessageWriter(buffer).WriteHeader("Bad Name"u8, "x"u8));
        Assert.Throws<ArgumentException>(() => new SipMessageWriter(buffer).WriteStatusLine(200, "OK\r\nX: y"));
    }

    [Fact]
    public void Ack_for_failure_follows_rfc3261_17_1_1_3()
    {
        using var invite = ParseOk(Invite.Replace("Max-Forwards: 70", "Route: <sip:proxy.example.com;lr>\nMax-Forwards: 70"));
        using var responseBytes = SipResponseFactory.CreateResponse(invite, 486, "Busy Here", "busy1");
        using var response = ParseOk(responseBytes.ToArray());
        using var buffer = new PooledBufferWriter();
        SipRequestFactory.WriteAckForFailure(new SipMessageWriter(buffer), invite, response);
        using var ack = ParseOk(buffer.ToArray());
        Assert.Equal(SipMethod.Ack, ack.Method);
        Assert.Equal(Str(invite.RequestUri.Raw), Str(ack.RequestUri.Raw));
        Assert.Equal(Str(invite.TopVia.Branch), Str(Assert.Single(ack.Vias.ToArray()).Branch));
        Assert.Equal("busy1", Str(ack.To.Tag));
        Assert.Equal(314159u, ack.CSeq.Number);
        Assert.Equal(SipMethod.Ack, ack.CSeq.Method);
        Assert.True(ack.TryGetHeader(HeaderKind.Route, out var route));
        Assert.Equal("<sip:proxy.example.com;lr>", Str(route));
    }
}

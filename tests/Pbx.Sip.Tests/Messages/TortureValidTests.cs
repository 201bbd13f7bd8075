using Pbx.Sip.Messages;
using Pbx.Sip.Uris;
using static Pbx.Sip.Tests.Helpers.TestMessages;

namespace Pbx.Sip.Tests.Messages;

/// <summary>RFC 4475 §3.1.1: valid messages must parse, with the values the RFC describes.</summary>
public class TortureValidTests
{
    [Fact]
    public void Wsinv_short_tortuous_invite()
    {
        using var m = ParseOk(Torture("wsinv"));
        Assert.True(m.IsRequest);
        Assert.Equal(SipMethod.Invite, m.Method);
        Assert.Equal("vivekg", Str(m.RequestUri.User));
        Assert.Equal("chair-dnrc.example.com", Str(m.RequestUri.Host));
        Assert.True(m.RequestUri.HasParameter("unknownparam"u8));
        Assert.Equal("1918181833n", Str(m.To.Tag));
        Assert.False(m.To.HasDisplayName);
        Assert.Equal("J Rosenberg \\\"", m.From.GetDisplayNameString());
        Assert.Equal("98asjd8", Str(m.From.Tag));
        Assert.Equal(68, m.MaxForwards);
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", Str(m.CallId));
        Assert.Equal(150, m.ContentLength);
        Assert.Equal(150, m.Body.Length);
        Assert.Equal(9u, m.CSeq.Number);
        Assert.Equal(SipMethod.Invite, m.CSeq.Method);
        Assert.Equal(3, m.Vias.Length);
        Assert.Equal("UDP", Str(m.Vias[0].Transport));
        Assert.Equal("192.0.2.2", Str(m.Vias[0].Host));
        Assert.Equal("390skdjuw", Str(m.Vias[0].Branch));
        Assert.False(m.Vias[0].HasRport);
        Assert.False(m.Vias[0].IsRfc3261Branch);
        Assert.Equal("TCP", Str(m.Vias[1].Transport));
        Assert.Equal("spindle.example.com", Str(m.Vias[1].Host));
        Assert.Equal("z9hG4bK9ikj8", Str(m.Vias[1].Branch));
        Assert.Equal("192.168.255.111", Str(m.Vias[2].Host));
        Assert.Equal("z9hG4bK30239", Str(m.Vias[2].Branch));
        Assert.True(m.TryGetHeader(HeaderKind.Subject, out var subject));
        Assert.True(subject.IsEmpty);
        Assert.True(m.TryGetHeader("NewFangledHeader"u8, out var fangled));
        Assert.Equal("newfangled value\r\n continued newfangled value", Str(fangled));
        Assert.True(m.TryGetHeader("UnknownHeaderWithUnusualValue"u8, out var unusual));
        Assert.Equal(";;,,;;,;", Str(unusual));
        var contact = Assert.Single(m.Contacts.ToArray());
        Assert.Equal("Quoted string \"\"", contact.GetDisplayNameString());
        Assert.Equal("jdrosen", Str(contact.Uri.User));
        Assert.True(contact.TryGetParameter("newparam"u8, out var np));
        Assert.Equal("newvalue", Str(np));
        Assert.True(contact.TryGetParameter("secondparam"u8, out var sp));
        Assert.True(sp.IsEmpty);
        Assert.True(contact.TryGetParameter("q"u8, out var q));
        Assert.Equal("0.33", Str(q));
        Assert.True(m.TryGetHeader(HeaderKind.Route, out var route));
        Assert.Equal("<sip:services.example.com;lr;unknownwith=value;unknown-no-value>", Str(route));
    }

    [Fact]
    public void Intmeth_wide_range_of_valid_characters()
    {
        using var m = ParseOk(Torture("intmeth"));
        Assert.Equal(SipMethod.Unknown, m.Method);
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", Str(m.MethodName));
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", Str(m.RequestUri.User));
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", Str(m.RequestUri.Password));
        Assert.Equal("example.com", Str(m.RequestUri.Host));
        Assert.Equal("z9hG4bK-.!%66*_+`'~", Str(m.TopVia.Branch));
        Assert.Equal("BEL:\\\x07 NUL:\\\0 DEL:\\\x7F", Str(m.To.DisplayName));
        Assert.Equal("BEL:\x07 NUL:\0 DEL:\x7F", m.To.GetDisplayNameString());
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", Str(m.To.Uri.User));
        Assert.Equal("token1~` token2'+_ token3*%!.-", Str(m.From.DisplayName));
        Assert.Equal("_token~1'+`*%!-.", Str(m.From.Tag));
        Assert.True(m.From.TryGetParameter("fromParam''~+*_!.-%"u8, out var odd));
        Assert.Equal("\"работающий\"", Str(odd));
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", Str(m.CallId));
        Assert.Equal(139122385u, m.CSeq.Number);
        Assert.Equal(255, m.MaxForwards);
        Assert.True(m.TryGetHeader("extensionHeader-!.%*+_`'~"u8, out var ext));
        Assert.Equal("\uFEFF大停電", Str(ext));
    }

    [Fact]
    public void Esc01_escapes_are_kept_and_decodable()
    {
        using var m = ParseOk(Torture("esc01"));
        Assert.Equal("sips%3Auser%40example.com", Str(m.RequestUri.User));
        Assert.Equal("sips:user@example.com", UriEscaping.UnescapeToString(m.RequestUri.User));
        Assert.Equal("user", UriEscaping.UnescapeToString(m.To.Uri.User));
        Assert.Equal("I have spaces", UriEscaping.UnescapeToString(m.From.Uri.User));
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", Str(m.CallId));
        var contact = Assert.Single(m.Contacts.ToArray());
        Assert.Equal("caller", UriEscaping.UnescapeToString(contact.Uri.User));
        Assert.True(contact.Uri.TryGetParameter("n%61me"u8, out var v));
        Assert.Equal("value%41", UriEscaping.UnescapeToString(v));
        Assert.True(m.TryGetHeader(HeaderKind.ContentType, out var ct));
        Assert.Equal("application/sdp", Str(ct));
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Escnull_nulls_in_userpart_do_not_shorten_it()
    {
        using var m = ParseOk(Torture("escnull"));
        Assert.Equal(SipMethod.Register, m.Method);
        Assert.Equal("null-%00-null", Str(m.To.Uri.User));
        Assert.Equal("null-\0-null", UriEscaping.UnescapeToString(m.To.Uri.User));
        Assert.Equal(2, m.Contacts.Length);
        Assert.Equal("\0", UriEscaping.UnescapeToString(m.Contacts[0].Uri.User));
        Assert.Equal("\0\0", UriEscaping.UnescapeToString(m.Contacts[1].Uri.User));
        Assert.Equal(0, m.ContentLength);
    }

    [Fact]
    public void Esc02_percent_is_not_an_escape_outside_uris()
    {
        using var m = ParseOk(Torture("esc02"));
        Assert.Equal(SipMethod.Unknown, m.Method);
        Assert.Equal("RE%47IST%45R", Str(m.MethodName));
        Assert.Equal("%Z%45", Str(m.To.DisplayName));
        Assert.Equal("z9hG4bK209%fzsnel234", Str(m.TopVia.Branch));
        Assert.Equal(2, m.Contacts.Length);
        Assert.Equal("alias1", Str(m.Contacts[0].Uri.User));
        Assert.Equal("alias3", Str(m.Contacts[1].Uri.User));
        Assert.True(m.TryGetHeader("C%6Fntact"u8, out var fake));
        Assert.Equal("<sip:alias2@host2.example.com>", Str(fake));
    }

    [Fact]
    public void Lwsdisp_display_name_without_space_before_bracket()
    {
        using var m = ParseOk(Torture("lwsdisp"));
        Assert.Equal("caller", Str(m.From.DisplayName));
        Assert.Equal("323", Str(m.From.Tag));
    }

    [Fact]
    public void Longreq_long_values_and_many_vias()
    {
        using var m = ParseOk(Torture("longreq"));
        Assert.Equal(34, m.Vias.Length);
        for (int i = 0; i < 33; i++) Assert.Equal($"sip{33 - i}.example.com", Str(m.Vias[i].Host));
        Assert.Equal("192.0.2.5", Str(m.Vias[33].Received));
        Assert.Equal(6000, m.To.Uri.Port);
        Assert.Equal(3, ParameterList.Count(m.To.Uri.Parameters, (byte)';'));
        Assert.Equal(155, m.From.Tag.Length);
        Assert.Equal(150, m.Body.Length);
    }

    [Fact]
    public void Dblreq_bytes_after_content_length_are_ignored()
    {
        var bytes = Torture("dblreq");
        using var m = ParseOk(bytes);
        Assert.Equal(SipMethod.Register, m.Method);
        Assert.Equal(0, m.Body.Length);
        Assert.True(m.Raw.Length < bytes.Length);
        Assert.EndsWith("Content-Length: 0\r\n\r\n", m.ToString());
    }

    [Fact]
    public void Semiuri_semicolon_in_userpart()
    {
        using var m = ParseOk(Torture("semiuri"));
        Assert.Equal("user;par=u%40example.net", Str(m.RequestUri.User));
        Assert.Equal("example.com", Str(m.RequestUri.Host));
        Assert.True(m.RequestUri.Parameters.IsEmpty);
        var accepts = new List<string>();
        foreach (var v in m.EnumerateValues(HeaderKind.Accept)) accepts.Add(Str(v));
        Assert.Equal(["application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed", "message/sip", "message/sipfrag"], accepts);
    }

    [Fact]
    public void Transports_all_via_transports()
    {
        using var m = ParseOk(Torture("transports"));
        string[] expected = ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"];
        Assert.Equal(expected, m.Vias.ToArray().Select(v => Str(v.Transport)).ToArray());
        Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", Str(m.CallId));
    }

    [Fact]
    public void Mpart01_binary_multipart_body_passes_through()
    {
        var bytes = Torture("mpart01");
        using var m = ParseOk(bytes);
        Assert.Equal(SipMethod.Message, m.Method);
        Assert.Equal(553, m.Body.Length);
        Assert.True(m.Body.SequenceEqual(bytes.AsSpan(bytes.Length - 553)));
        Assert.True(m.TopVia.HasRport);
        Assert.Equal(5070, m.TopVia.Port);
        Assert.True(m.TryGetHeader(HeaderKind.ContentType, out var ct));
        Assert.Equal("multipart/mixed;boundary=7a9cbec02ceef655", Str(ct));
    }

    [Fact]
    public void Unreason_utf8_reason_phrase()
    {
        using var m = ParseOk(Torture("unreason"));
        Assert.True(m.IsResponse);
        Assert.Equal(200, m.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", Str(m.ReasonPhrase));
        Assert.Equal(154, m.Body.Length);
    }

    [Fact]
    public void Noreason_empty_reason_phrase()
    {
        using var m = ParseOk(Torture("noreason"));
        Assert.Equal(100, m.StatusCode);
        Assert.True(m.ReasonPhrase.IsEmpty);
        Assert.Equal("902jndnke3", Str(m.To.Tag));
    }
}

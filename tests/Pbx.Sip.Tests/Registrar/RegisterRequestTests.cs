using Pbx.Sip.Registrar;
using Pbx.Sip.Tests.Helpers;

namespace Pbx.Sip.Tests.Registrar;

public sealed class RegisterRequestTests
{
    private static readonly RegistrarOptions Options = new() { Realm = "pbx", DefaultExpiresSeconds = 3600, MaxContactsPerAor = 3 };

    private static string Register(string extraHeaders, string contacts = "Contact: <sip:alice@192.168.1.20:5060>") => $"""
        REGISTER sip:pbx.example.com SIP/2.0
        Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK776asdhds;rport
        Max-Forwards: 70
        To: "Alice" <sip:Alice@pbx.example.com>
        From: "Alice" <sip:Alice@pbx.example.com>;tag=456248
        Call-ID: 843817637684230@998sdasdh09
        CSeq: 1826 REGISTER
        {contacts}
        {extraHeaders}
        Content-Length: 0


        """;

    private static RegisterRequest? Read(string text, out int status, out string reason) =>
        RegisterRequest.TryRead(TestMessages.ParseOk(text), Options, out status, out reason);

    [Fact]
    public void Reads_the_aor_lower_cased_the_contact_and_the_header_expiry()
    {
        var request = Read(Register("Expires: 600\nUser-Agent: Desk/1.0"), out _, out _)!;
        Assert.Equal(("alice", 1826u, "843817637684230@998sdasdh09", "Desk/1.0"), (request.Aor, request.CSeq, request.CallId, request.UserAgent));
        var contact = Assert.Single(request.Contacts);
        Assert.Equal(("sip:alice@192.168.1.20:5060", 600, 1.0), (contact.Contact, contact.ExpiresSeconds, contact.Q));
    }

    [Fact]
    public void A_contact_expires_parameter_wins_over_the_header_and_the_default_applies_without_either()
    {
        var request = Read(Register("Expires: 600", "Contact: <sip:a@10.0.0.1>;expires=120;q=0.5, <sip:a@10.0.0.2>"), out _, out _)!;
        Assert.Equal([(120, 0.5), (600, 1.0)], request.Contacts.Select(c => (c.ExpiresSeconds, c.Q)));
        Assert.Equal(3600, Read(Register(""), out _, out _)!.Contacts[0].ExpiresSeconds);
    }

    [Fact]
    public void Reads_the_outbound_instance_and_reg_id_and_the_path()
    {
        var request = Read(Register("Supported: path, outbound\nPath: <sip:edge.example.com;lr>",
            "Contact: <sip:a@10.0.0.1;ob>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1"), out _, out _)!;
        var contact = Assert.Single(request.Contacts);
        Assert.Equal(("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>", (int?)1), (contact.InstanceId, contact.RegId));
        Assert.True(request.SupportsOutbound);
        Assert.Equal(["<sip:edge.example.com;lr>"], request.Path);
    }

    [Fact]
    public void A_contact_with_the_mobile_feature_tag_is_a_mobile_client_and_others_are_not()
    {
        var request = Read(Register("", "Contact: <sip:a@10.0.0.1>;+sip.mobility=\"mobile\", <sip:a@10.0.0.2>;+sip.mobility=\"fixed\", <sip:a@10.0.0.3>"), out _, out _)!;
        Assert.Equal([true, false, false], request.Contacts.Select(c => c.IsMobile));
    }

    [Fact]
    public void A_wildcard_alone_with_expires_zero_removes_all()
    {
        var request = Read(Register("Expires: 0", "Contact: *"), out _, out _)!;
        Assert.True(request.RemoveAll);
        Assert.Empty(request.Contacts);
    }

    [Theory]
    [InlineData("Expires: 60", "Contact: *", 400)]
    [InlineData("Expires: 0", "Contact: *, <sip:a@10.0.0.1>", 400)]
    [InlineData("Expires: soon", "Contact: <sip:a@10.0.0.1>", 400)]
    [InlineData("", "Contact: <sip:a@10.0.0.1>;expires=x", 400)]
    [InlineData("", "Contact: <sip:a@10.0.0.1>;q=1.5", 400)]
    [InlineData("", "Contact: <sip:a@10.0.0.1>, <sip:a@10.0.0.2>, <sip:a@10.0.0.3>, <sip:a@10.0.0.4>", 403)]
    public void Malformed_or_excessive_registrations_are_refused_with_the_right_status(string headers, string contacts, int status)
    {
        Assert.Null(Read(Register(headers, contacts), out var actual, out var reason));
        Assert.Equal(status, actual);
        Assert.NotEmpty(reason);
    }

    [Fact]
    public void A_register_without_contacts_is_a_query()
    {
        var request = Read(Register("", contacts: "Subject: query"), out _, out _)!;
        Assert.Empty(request.Contacts);
        Assert.False(request.RemoveAll);
    }
}

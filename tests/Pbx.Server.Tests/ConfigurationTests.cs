using Microsoft.Extensions.Configuration;
using Pbx.Server.Configuration;

namespace Pbx.Server.Tests;

public sealed class ConfigurationTests
{
    private static LoadedConfiguration Load(params (string Key, string? Value)[] overrides) =>
        ConfigurationLoader.Load(null, overrides.ToDictionary(o => o.Key, o => o.Value));

    private static ConfigError SingleError(params (string Key, string? Value)[] overrides)
    {
        var loaded = Load(overrides);
        Assert.False(loaded.IsValid);
        return Assert.Single(loaded.Errors);
    }

    [Fact]
    public void Embedded_defaults_are_valid_and_match_the_documented_ports()
    {
        var loaded = Load();
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var o = loaded.Options!;
        Assert.Equal((5060, 5060, 5061, 5222), (o.Sip.UdpPort, o.Sip.TcpPort, o.Sip.TlsPort, o.Xmpp.ClientPort));
        Assert.Equal((10000, 20000), (o.Rtp.PortMin, o.Rtp.PortMax));
        Assert.Equal(("127.0.0.1", 8088), (o.Admin.Address, o.Admin.Port));
        Assert.Equal(["PCMU", "PCMA", "G722", "telephone-event"], o.Rtp.Codecs);
    }

    [Fact]
    public void The_shipped_config_file_is_the_embedded_default()
    {
        var shipped = Path.Combine(RepositoryRoot(), "config", "pbx.json");
        var fromFile = ConfigurationLoader.Load(shipped);
        Assert.True(fromFile.IsValid, string.Join("; ", fromFile.Errors));
        Assert.Equal(Load().Root!.AsEnumerable().OrderBy(e => e.Key), fromFile.Root!.AsEnumerable().OrderBy(e => e.Key));
    }

    [Theory]
    [InlineData("Sip:UdpPort", "70000", "out of range")]
    [InlineData("Admin:Port", "-1", "out of range")]
    [InlineData("Sip:TlsPort", "5060", "is also Sip:TcpPort; each stream transport needs its own port")]
    [InlineData("Sip:WsPort", "5061", "is also Sip:TlsPort")]
    [InlineData("Sip:DigestAlgorithms:0", "SHA-512", "unknown algorithm")]
    [InlineData("Sip:RegisterDeny:0", "10.0.0.0/33", "is not a network")]
    [InlineData("Rtp:PortMin", "10001", "is odd")]
    [InlineData("Rtp:PortMin", "30000", "must be lower than Rtp:PortMax")]
    [InlineData("Admin:Address", "localhost:80", "not an IPv4 or IPv6 address")]
    [InlineData("Admin:Token", "short", "at least 16 characters")]
    [InlineData("Xmpp:Domain", "not a domain!", "not a domain name")]
    [InlineData("Shutdown:DrainSeconds", "100000", "out of range")]
    [InlineData("Telemetry:OtlpEndpoint", "collector:4317", "not an http(s) URL")]
    [InlineData("Tls:CertificatePath", "/nonexistent/cert.pfx", "does not exist")]
    [InlineData("Sip:UdpPort", "five", "not a valid whole number")]
    [InlineData("Telemetry:PrometheusScraping", "maybe", "not a valid true/false")]
    [InlineData("Sip:Typo", "1", "unknown setting")]
    public void A_wrong_value_is_one_error_naming_the_key_and_the_reason(string key, string value, string reason)
    {
        var error = SingleError((key, value));
        Assert.Equal(key, error.Key);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void An_unknown_section_is_named_as_a_whole()
    {
        var error = SingleError(("Nonsense:Key", "1"));
        Assert.Equal(("Nonsense", "unknown setting"), (error.Key, error.Reason.Split(" (")[0]));
    }

    [Fact]
    public void An_unknown_codec_is_named_with_its_list_position()
    {
        var error = SingleError(("Rtp:Codecs:0", "PCMU"), ("Rtp:Codecs:1", "OPUS"));
        Assert.Equal("Rtp:Codecs:1", error.Key);
        Assert.Contains("unknown codec 'OPUS'", error.Reason);
    }

    [Fact]
    public void A_list_in_a_later_layer_replaces_the_default_list_instead_of_merging_by_index()
    {
        var loaded = Load(("Rtp:Codecs:0", "PCMA"));
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        Assert.Equal(["PCMA"], loaded.Options!.Rtp.Codecs);
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var loaded = Load(("Sip:UdpPort", "0x"), ("Rtp:PortMax", "5"), ("Admin:Token", "x"), ("Sip:Bogus", "1"));
        Assert.Equal(["Admin:Token", "Rtp:PortMax", "Rtp:PortMin", "Sip:Bogus", "Sip:UdpPort"],
            loaded.Errors.Select(e => e.Key).Distinct().Order());
    }

    [Fact]
    public void Unparsable_json_names_the_file_and_the_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "{\n  \"Sip\": { \"UdpPort\": 5060 \n  \"TcpPort\": 5060 }\n}");
            var error = Assert.Single(ConfigurationLoader.Load(file).Errors);
            Assert.Equal(file, error.Key);
            Assert.Contains("invalid JSON at line 3", error.Reason);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void A_missing_config_file_is_an_error_not_a_silent_default()
    {
        var error = Assert.Single(ConfigurationLoader.Load("/nonexistent/pbx.json").Errors);
        Assert.Equal("--config", error.Key);
        Assert.Contains("does not exist", error.Reason);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pbx.Server.sln"))) return dir.FullName;
        throw new InvalidOperationException("Pbx.Server.sln not found above the test output folder");
    }
}

using System.Net;
using System.Text.RegularExpressions;

namespace Pbx.Server.Configuration;

/// <summary>
/// One provider account under "Trunks". The list is empty by default (config/pbx.json), so the per-trunk defaults
/// an admin may leave out are the initial values here.
/// </summary>
public sealed partial class TrunkOptions
{
    // String settings left empty in JSON may bind as null; they mean the same as "".
    public string Name { get; set => field = value ?? ""; } = "";
    /// <summary>Registrar and proxy of the provider: IP address or DNS name (A/AAAA).</summary>
    public string Host { get; set => field = value ?? ""; } = "";
    public int Port { get; set; } = 5060;
    /// <summary>udp or tcp.</summary>
    public string Transport { get; set => field = value ?? ""; } = "udp";
    public string Username { get; set => field = value ?? ""; } = "";
    public string Password { get; set => field = value ?? ""; } = "";
    /// <summary>Empty: answer the realm the provider challenges with.</summary>
    public string Realm { get; set => field = value ?? ""; } = "";
    public bool Register { get; set; } = true;
    public int RegisterExpirySeconds { get; set; } = 600;
    /// <summary>Host part of our From URI towards the provider; empty: the host.</summary>
    public string FromDomain { get; set => field = value ?? ""; } = "";
    /// <summary>Country calling code without '+' for E.164 normalisation of national numbers, e.g. "49".</summary>
    public string CountryCode { get; set => field = value ?? ""; } = "";
    public List<TrunkDidOptions> Dids { get; set; } = [];
    public List<DialRuleOptions> DialRules { get; set; } = [];
    /// <summary>Networks the provider's INVITEs may come from on any port; without them only Host:Port is trusted.</summary>
    public List<string> InboundNetworks { get; set; } = [];

    internal void Validate(List<ConfigError> errors, string key)
    {
        if (!NamePattern().IsMatch(Name)) errors.Add(new($"{key}:Name", $"'{Name}' must be 1-32 letters, digits, '-' or '_'"));
        if (Uri.CheckHostName(Host) is UriHostNameType.Unknown or UriHostNameType.Basic)
            errors.Add(new($"{key}:Host", $"'{Host}' is not an IP address or host name"));
        OptionRules.Port(errors, $"{key}:Port", Port, allowZero: false);
        if (Transport.ToLowerInvariant() is not ("udp" or "tcp")) errors.Add(new($"{key}:Transport", $"'{Transport}' is not one of udp, tcp"));
        if (Register && Username.Length == 0) errors.Add(new($"{key}:Username", "is required when Register is true"));
        if (Username.Any(c => c is '"' or '\\' or '@' or ':' || char.IsControl(c) || char.IsWhiteSpace(c)))
            errors.Add(new($"{key}:Username", "must not contain quotes, backslashes, '@', ':' or spaces"));
        OptionRules.Range(errors, $"{key}:RegisterExpirySeconds", RegisterExpirySeconds, 60, 86400);
        if (FromDomain.Length > 0 && Uri.CheckHostName(FromDomain) is UriHostNameType.Unknown or UriHostNameType.Basic)
            errors.Add(new($"{key}:FromDomain", $"'{FromDomain}' is not a host name"));
        if (CountryCode.Length > 0 && !CountryCodePattern().IsMatch(CountryCode))
            errors.Add(new($"{key}:CountryCode", $"'{CountryCode}' must be 1-3 digits without '+', e.g. 49"));
        for (var i = 0; i < Dids.Count; i++)
        {
            if (Pbx.Calls.Trunks.DialPlan.ToE164(Dids[i].Number, CountryCode) is null)
                errors.Add(new($"{key}:Dids:{i}:Number", $"'{Dids[i].Number}' is not a number in E.164 (+4930...) or national form with CountryCode set"));
            if (Dids[i].Target.Length > 0 && !Dids[i].Target.All(c => char.IsAsciiDigit(c) || c is '*' or '#' or '+'))
                errors.Add(new($"{key}:Dids:{i}:Target", $"'{Dids[i].Target}' is not a number"));
        }
        for (var i = 0; i < DialRules.Count; i++)
        {
            var rule = DialRules[i];
            if (rule.Prefix.Length == 0 || !rule.Prefix.All(c => char.IsAsciiDigit(c) || c is '+' or '*' or '#'))
                errors.Add(new($"{key}:DialRules:{i}:Prefix", $"'{rule.Prefix}' must be digits (or a leading '+'), e.g. 0"));
            if (rule.Strip < 0 || rule.Strip > 32) errors.Add(new($"{key}:DialRules:{i}:Strip", $"{rule.Strip} is out of range 0-32"));
            if (!rule.Prepend.All(c => char.IsAsciiDigit(c) || c == '+'))
                errors.Add(new($"{key}:DialRules:{i}:Prepend", $"'{rule.Prepend}' must be digits or a leading '+', e.g. +49"));
        }
        OptionRules.Networks(errors, $"{key}:InboundNetworks", InboundNetworks);
    }

    internal Pbx.Calls.Trunks.TrunkSettings ToSettings() => new()
    {
        Name = Name,
        Host = Host,
        Port = Port,
        Transport = Transport.Equals("tcp", StringComparison.OrdinalIgnoreCase) ? Pbx.Sip.Transports.SipTransportKind.Tcp : Pbx.Sip.Transports.SipTransportKind.Udp,
        Username = Username,
        Password = Password,
        Realm = Realm.Length > 0 ? Realm : null,
        Register = Register,
        RegisterExpirySeconds = RegisterExpirySeconds,
        FromDomain = FromDomain.Length > 0 ? FromDomain : null,
        CountryCode = CountryCode,
        Dids = [.. Dids.Select(d => new Pbx.Calls.Trunks.TrunkDid(d.Number, d.Target.Length > 0 ? d.Target : null))],
        DialRules = [.. DialRules.Select(r => new Pbx.Calls.Trunks.DialRule(r.Prefix, r.Strip, r.Prepend))],
        InboundNetworks = [.. InboundNetworks.Select(n => IPNetwork.Parse(n))],
    };

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex CountryCodePattern();
}

public sealed class TrunkDidOptions
{
    /// <summary>The DID, E.164 ("+4930123456200") or national with the trunk's CountryCode.</summary>
    public string Number { get; set => field = value ?? ""; } = "";
    /// <summary>Internal number it rings; empty: the DID is routed itself (assigned to a user or group as external number).</summary>
    public string Target { get; set => field = value ?? ""; } = "";
}

/// <summary>{"Prefix": "0", "Strip": 1, "Prepend": "+49"}: 030123 goes out as +4930123.</summary>
public sealed class DialRuleOptions
{
    public string Prefix { get; set => field = value ?? ""; } = "";
    public int Strip { get; set; }
    public string Prepend { get; set => field = value ?? ""; } = "";
}

internal static class TrunkListRules
{
    public static void Validate(List<TrunkOptions> trunks, List<ConfigError> errors)
    {
        for (var i = 0; i < trunks.Count; i++) trunks[i].Validate(errors, $"Trunks:{i}");
        foreach (var clash in trunks.Select((t, i) => (t.Name, i)).GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            errors.Add(new($"Trunks:{clash.Last().i}:Name", $"'{clash.Key}' is used by more than one trunk"));
    }
}

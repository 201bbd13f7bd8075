using System.Net;
using Pbx.Server.Security;

namespace Pbx.Server.Configuration;

/// <summary>
/// Every setting of the daemon. Defaults live in config/pbx.json (embedded into the binary), not here,
/// so the file an admin reads is the whole truth.
/// </summary>
public sealed class PbxOptions
{
    public SipOptions Sip { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    public XmppOptions Xmpp { get; set; } = new();
    public RtpOptions Rtp { get; set; } = new();
    public CallOptions Calls { get; set; } = new();
    public AdminOptions Admin { get; set; } = new();
    public StorageOptions Storage { get; set; } = new();
    public ShutdownOptions Shutdown { get; set; } = new();
    public TelemetryOptions Telemetry { get; set; } = new();
    /// <summary>SIP trunks (provider accounts); none by default.</summary>
    public List<TrunkOptions> Trunks { get; set; } = [];

    public List<ConfigError> Validate()
    {
        var errors = new List<ConfigError>();
        Sip.Validate(errors);
        Tls.Validate(errors);
        Xmpp.Validate(errors);
        Rtp.Validate(errors);
        Calls.Validate(errors);
        Admin.Validate(errors);
        Storage.Validate(errors);
        Shutdown.Validate(errors);
        Telemetry.Validate(errors);
        TrunkListRules.Validate(Trunks, errors);
        return errors;
    }
}

public sealed class SipOptions
{
    public string BindAddress { get; set; } = "";
    /// <summary>0 switches the listener off.</summary>
    public int UdpPort { get; set; }
    public int TcpPort { get; set; }
    public int TlsPort { get; set; }
    /// <summary>SIP over WebSocket (RFC 7118) for WebRTC clients; 0 is off.</summary>
    public int WsPort { get; set; }
    /// <summary>SIP over secure WebSocket with the server certificate; 0 is off.</summary>
    public int WssPort { get; set; }
    public string Realm { get; set; } = "";
    public int MaxMessageBytes { get; set; }
    /// <summary>Address put into Via/From of requests we send; empty: the bind address, or the host's first address.</summary>
    public string AdvertisedAddress { get; set; } = "";
    public int MinExpiresSeconds { get; set; }
    public int MaxExpiresSeconds { get; set; }
    public int QualifyIntervalSeconds { get; set; }
    public int LaggedThresholdMs { get; set; }
    public int AuthFailureLimit { get; set; }
    public int AuthFailureWindowSeconds { get; set; }
    public int BanSeconds { get; set; }
    public int RequestsPerSecondPerSource { get; set; }
    public List<string> TrustedNetworks { get; set; } = [];
    /// <summary>
    /// Digest challenges, one per algorithm in preference order. MD5 only by default: some clients (baresip 1.0's
    /// libre) refuse the whole 401 when one challenge names an algorithm they lack, others answer only the first.
    /// </summary>
    public List<string> DigestAlgorithms { get; set; } = [];
    public List<string> RegisterAllow { get; set; } = [];
    public List<string> RegisterDeny { get; set; } = [];

    internal void Validate(List<ConfigError> errors)
    {
        if (AdvertisedAddress.Length > 0) OptionRules.IpAddress(errors, "Sip:AdvertisedAddress", AdvertisedAddress);
        OptionRules.Range(errors, "Sip:MinExpiresSeconds", MinExpiresSeconds, 1, 3600);
        OptionRules.Range(errors, "Sip:MaxExpiresSeconds", MaxExpiresSeconds, 60, 86400);
        if (MinExpiresSeconds > MaxExpiresSeconds)
            errors.Add(new("Sip:MinExpiresSeconds", $"{MinExpiresSeconds} is above Sip:MaxExpiresSeconds ({MaxExpiresSeconds})"));
        OptionRules.Range(errors, "Sip:QualifyIntervalSeconds", QualifyIntervalSeconds, 1, 3600);
        OptionRules.Range(errors, "Sip:LaggedThresholdMs", LaggedThresholdMs, 1, 60_000);
        OptionRules.Range(errors, "Sip:AuthFailureLimit", AuthFailureLimit, 1, 1000);
        OptionRules.Range(errors, "Sip:AuthFailureWindowSeconds", AuthFailureWindowSeconds, 1, 86400);
        OptionRules.Range(errors, "Sip:BanSeconds", BanSeconds, 1, 7 * 86400);
        OptionRules.Range(errors, "Sip:RequestsPerSecondPerSource", RequestsPerSecondPerSource, 0, 1_000_000);
        OptionRules.Networks(errors, "Sip:TrustedNetworks", TrustedNetworks);
        if (DigestAlgorithms.Count == 0)
            errors.Add(new("Sip:DigestAlgorithms", "must list at least one of MD5, SHA-256"));
        for (var i = 0; i < DigestAlgorithms.Count; i++)
            if (!Pbx.Sip.Auth.DigestAlgorithms.TryParse(DigestAlgorithms[i], out _))
                errors.Add(new($"Sip:DigestAlgorithms:{i}", $"unknown algorithm '{DigestAlgorithms[i]}'; known: MD5, SHA-256"));
        OptionRules.Networks(errors, "Sip:RegisterAllow", RegisterAllow);
        OptionRules.Networks(errors, "Sip:RegisterDeny", RegisterDeny);
        OptionRules.IpAddress(errors, "Sip:BindAddress", BindAddress);
        OptionRules.Port(errors, "Sip:UdpPort", UdpPort, allowZero: true);
        OptionRules.Port(errors, "Sip:TcpPort", TcpPort, allowZero: true);
        OptionRules.Port(errors, "Sip:TlsPort", TlsPort, allowZero: true);
        OptionRules.Port(errors, "Sip:WsPort", WsPort, allowZero: true);
        OptionRules.Port(errors, "Sip:WssPort", WssPort, allowZero: true);
        var streamPorts = new[] { ("Sip:TcpPort", TcpPort), ("Sip:TlsPort", TlsPort), ("Sip:WsPort", WsPort), ("Sip:WssPort", WssPort) }
            .Where(p => p.Item2 != 0).GroupBy(p => p.Item2).Where(g => g.Count() > 1);
        foreach (var clash in streamPorts)
            errors.Add(new(clash.Last().Item1, $"{clash.Key} is also {clash.First().Item1}; each stream transport needs its own port"));
        if (string.IsNullOrWhiteSpace(Realm) || Realm.Any(c => c is '"' or '\\' || char.IsControl(c)))
            errors.Add(new("Sip:Realm", "must be a non-empty name without quotes, backslashes or control characters"));
        OptionRules.Range(errors, "Sip:MaxMessageBytes", MaxMessageBytes, 1500, 1 << 20);
    }
}

public sealed class TlsOptions
{
    /// <summary>PFX/PKCS#12 or PEM certificate; empty means a self-signed one is made in the data directory at first start.</summary>
    public string CertificatePath { get; set; } = "";
    /// <summary>PEM private key when <see cref="CertificatePath"/> is a PEM certificate without its key.</summary>
    public string KeyPath { get; set; } = "";
    public string CertificatePassword { get; set; } = "";
    public string SelfSignedSubject { get; set; } = "";

    internal void Validate(List<ConfigError> errors)
    {
        if (CertificatePath.Length > 0)
        {
            if (TlsCertificateLoader.TryLoad(this, out var reason) is { } loaded) loaded.Dispose();
            else errors.Add(new("Tls:CertificatePath", reason));
        }
        else if (KeyPath.Length > 0)
            errors.Add(new("Tls:KeyPath", "is set but Tls:CertificatePath is empty"));
        if (CertificatePath.Length == 0 && !OptionRules.IsDistinguishedName(SelfSignedSubject))
            errors.Add(new("Tls:SelfSignedSubject", $"'{SelfSignedSubject}' is not a distinguished name such as CN=pbx.example.com"));
    }
}

public enum SharedRosterScope
{
    /// <summary>Every PBX user sees every other user.</summary>
    All,
    /// <summary>A user sees the members of the groups they belong to.</summary>
    Groups,
}

public sealed class XmppOptions
{
    public string BindAddress { get; set; } = "";
    /// <summary>Client connections with STARTTLS; 0 switches XMPP off.</summary>
    public int ClientPort { get; set; }
    /// <summary>Client connections with TLS from the first byte (XEP-0368); 0 is off.</summary>
    public int DirectTlsPort { get; set; }
    public string Domain { get; set; } = "";
    public bool RequireTls { get; set; }
    public SharedRosterScope SharedRoster { get; set; }
    public int MaxStanzaBytes { get; set; }

    internal void Validate(List<ConfigError> errors)
    {
        OptionRules.IpAddress(errors, "Xmpp:BindAddress", BindAddress);
        OptionRules.Port(errors, "Xmpp:ClientPort", ClientPort, allowZero: true);
        OptionRules.Port(errors, "Xmpp:DirectTlsPort", DirectTlsPort, allowZero: true);
        if (DirectTlsPort != 0 && DirectTlsPort == ClientPort)
            errors.Add(new("Xmpp:DirectTlsPort", $"{DirectTlsPort} is also Xmpp:ClientPort"));
        OptionRules.Range(errors, "Xmpp:MaxStanzaBytes", MaxStanzaBytes, 4096, 16 << 20);
        if (Uri.CheckHostName(Domain) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            errors.Add(new("Xmpp:Domain", $"'{Domain}' is not a domain name"));
    }
}

public sealed class RtpOptions
{
    public static readonly IReadOnlyList<string> KnownCodecs = ["PCMU", "PCMA", "G722", "telephone-event"];

    public int PortMin { get; set; }
    public int PortMax { get; set; }
    public List<string> Codecs { get; set; } = [];
    /// <summary>Address put into SDP for our relay ports; empty: the address SIP advertises.</summary>
    public string AdvertisedAddress { get; set; } = "";

    internal void Validate(List<ConfigError> errors)
    {
        if (AdvertisedAddress.Length > 0) OptionRules.IpAddress(errors, "Rtp:AdvertisedAddress", AdvertisedAddress);
        OptionRules.Range(errors, "Rtp:PortMin", PortMin, 1024, 65534);
        OptionRules.Range(errors, "Rtp:PortMax", PortMax, 1025, 65535);
        if (PortMin % 2 != 0)
            errors.Add(new("Rtp:PortMin", $"{PortMin} is odd; RTP takes the even port of each pair and RTCP the odd one above it"));
        if (PortMin >= PortMax)
            errors.Add(new("Rtp:PortMin", $"{PortMin} must be lower than Rtp:PortMax ({PortMax})"));
        if (Codecs.Count == 0)
            errors.Add(new("Rtp:Codecs", $"must list at least one of {string.Join(", ", KnownCodecs)}"));
        for (var i = 0; i < Codecs.Count; i++)
            if (!KnownCodecs.Contains(Codecs[i], StringComparer.OrdinalIgnoreCase))
                errors.Add(new($"Rtp:Codecs:{i}", $"unknown codec '{Codecs[i]}'; known: {string.Join(", ", KnownCodecs)}"));
        if (Codecs.Count > 0 && Codecs.All(c => c.Equals("telephone-event", StringComparison.OrdinalIgnoreCase)))
            errors.Add(new("Rtp:Codecs", "telephone-event carries DTMF only; add an audio codec"));
    }
}

public sealed class CallOptions
{
    /// <summary>A call nobody answers within this time gets 480 (redirections may end ringing earlier).</summary>
    public int RingTimeoutSeconds { get; set; }
    /// <summary>No RTP from either phone for this long, while the call is not on hold, ends it; 0 is off.</summary>
    public int MediaTimeoutSeconds { get; set; }
    /// <summary>Answered calls are hung up after this long; 0 is off.</summary>
    public int MaxDurationSeconds { get; set; }
    /// <summary>WAV file held parties hear (mono PCM 8/16 kHz or G.711); empty: a built-in melody.</summary>
    public string MusicOnHoldFile { get; set; } = "";
    /// <summary>A blind transfer not answered within this time comes back to the transferrer (5–120 s).</summary>
    public int TransferRecallSeconds { get; set; }
    /// <summary>Where scripts/prompts/generate.sh put the prompts; empty: the "prompts" folder of the data directory.</summary>
    public string PromptsDirectory { get; set; } = "";
    /// <summary>The system language of prompts (en, de, fr); users with their own language hear theirs where it exists.</summary>
    public string Language { get; set; } = "";
    /// <summary>How long an iFMC party that must confirm by keypress has to press a digit.</summary>
    public int KeypressConfirmationSeconds { get; set; }
    /// <summary>Dialled from another of the user's devices, takes over the user's connected call (call pull).</summary>
    public string CallPullCode { get; set; } = "";
    /// <summary>Called from a user's cell (or mapped from a DID), answers and takes the destination as DTMF (call-through).</summary>
    public string CallThroughNumber { get; set; } = "";
    /// <summary>How long call-through waits for the next digit before dialling what it has.</summary>
    public int DigitCollectionSeconds { get; set; }
    /// <summary>Keyed in a call by a user with a second call on hold: joins all three into a conference.</summary>
    public string ThreeWayCode { get; set; } = "";
    /// <summary>Dialled, then a scheduled conference's PIN, joins that conference while it runs.</summary>
    public string ConferenceAccessNumber { get; set; } = "";
    /// <summary>Whose tones callers hear (ringback, busy): DE, US or FR.</summary>
    public string ToneCountry { get; set; } = "";

    internal void Validate(List<ConfigError> errors)
    {
        OptionRules.Range(errors, "Calls:TransferRecallSeconds", TransferRecallSeconds, 5, 120);
        OptionRules.Range(errors, "Calls:KeypressConfirmationSeconds", KeypressConfirmationSeconds, 3, 120);
        var codes = new[] { ("Calls:CallPullCode", CallPullCode), ("Calls:CallThroughNumber", CallThroughNumber), ("Calls:ConferenceAccessNumber", ConferenceAccessNumber) };
        foreach (var (key, code) in codes)
            if (code.Length == 0 || code.Any(c => !char.IsAsciiDigit(c) && c is not '*' and not '#'))
                errors.Add(new(key, $"'{code}' must be digits, * and #"));
        for (var i = 1; i < codes.Length; i++)
            for (var j = 0; j < i; j++)
                if (codes[i].Item2 == codes[j].Item2) errors.Add(new(codes[i].Item1, $"must differ from {codes[j].Item1}"));
        // Keyed mid-call as RFC 4733 digits: a star or hash, then one digit or key.
        if (ThreeWayCode.Length != 2 || ThreeWayCode[0] is not ('*' or '#') || !(char.IsAsciiDigit(ThreeWayCode[1]) || ThreeWayCode[1] is '*' or '#'))
            errors.Add(new("Calls:ThreeWayCode", $"'{ThreeWayCode}' must be * or # followed by one key, e.g. *3"));
        OptionRules.Range(errors, "Calls:DigitCollectionSeconds", DigitCollectionSeconds, 2, 60);
        if (Language is not ("en" or "de" or "fr"))
            errors.Add(new("Calls:Language", $"'{Language}' has no prompts; known: en, de, fr"));
        if (!Pbx.Media.Tones.TonePlan.TryGet(ToneCountry, out _))
            errors.Add(new("Calls:ToneCountry", $"'{ToneCountry}' has no tone plan; known: {string.Join(", ", Pbx.Media.Tones.TonePlan.BuiltIn.Select(p => p.CountryCode))}"));
        if (MusicOnHoldFile.Length > 0 && !File.Exists(MusicOnHoldFile))
            errors.Add(new("Calls:MusicOnHoldFile", $"'{MusicOnHoldFile}' does not exist"));
        OptionRules.Range(errors, "Calls:RingTimeoutSeconds", RingTimeoutSeconds, 1, 3600);
        OptionRules.Range(errors, "Calls:MediaTimeoutSeconds", MediaTimeoutSeconds, 0, 3600);
        OptionRules.Range(errors, "Calls:MaxDurationSeconds", MaxDurationSeconds, 0, 7 * 86400);
    }
}

public sealed class AdminOptions
{
    public string Address { get; set; } = "";
    /// <summary>0 takes any free port (tests).</summary>
    public int Port { get; set; }
    /// <summary>Bearer token; empty means one is generated into the data directory (file admin-token).</summary>
    public string Token { get; set; } = "";

    internal void Validate(List<ConfigError> errors)
    {
        OptionRules.IpAddress(errors, "Admin:Address", Address);
        OptionRules.Port(errors, "Admin:Port", Port, allowZero: true);
        if (Token.Length is > 0 and < 16)
            errors.Add(new("Admin:Token", "must be at least 16 characters, or empty to have one generated"));
    }
}

public sealed class StorageOptions
{
    /// <summary>Empty: $STATE_DIRECTORY under systemd, ./data otherwise.</summary>
    public string DataDirectory { get; set; } = "";
    public int BusyTimeoutSeconds { get; set; }

    internal void Validate(List<ConfigError> errors) =>
        OptionRules.Range(errors, "Storage:BusyTimeoutSeconds", BusyTimeoutSeconds, 1, 300);
}

public sealed class ShutdownOptions
{
    public int DrainSeconds { get; set; }

    internal void Validate(List<ConfigError> errors) =>
        OptionRules.Range(errors, "Shutdown:DrainSeconds", DrainSeconds, 0, 3600);
}

public sealed class TelemetryOptions
{
    /// <summary>OTLP collector address; empty switches the exporter off.</summary>
    public string OtlpEndpoint { get; set; } = "";
    public bool PrometheusScraping { get; set; }

    internal void Validate(List<ConfigError> errors)
    {
        if (OtlpEndpoint.Length > 0 && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            errors.Add(new("Telemetry:OtlpEndpoint", $"'{OtlpEndpoint}' is not an http(s) URL"));
    }
}

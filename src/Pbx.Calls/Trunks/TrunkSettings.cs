using System.Net;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Trunks;

/// <summary>One provider account (SIP trunk) as configured; the host maps its options onto this.</summary>
public sealed record TrunkSettings
{
    public required string Name { get; init; }

    /// <summary>The provider's registrar and proxy: an IP address or a name resolved through DNS (A/AAAA).</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 5060;

    /// <summary>UDP or TCP.</summary>
    public SipTransportKind Transport { get; init; } = SipTransportKind.Udp;

    public string Username { get; init; } = "";

    public string Password { get; init; } = "";

    /// <summary>When set, only challenges of this realm are answered; otherwise the challenge's realm is used.</summary>
    public string? Realm { get; init; }

    public bool Register { get; init; }

    public int RegisterExpirySeconds { get; init; } = 600;

    /// <summary>The host part of our From URI; the provider host when not set.</summary>
    public string? FromDomain { get; init; }

    /// <summary>Country calling code without '+', for E.164 normalisation of national numbers ("49").</summary>
    public string CountryCode { get; init; } = "";

    public IReadOnlyList<TrunkDid> Dids { get; init; } = [];

    public IReadOnlyList<DialRule> DialRules { get; init; } = [];

    /// <summary>
    /// Networks whose INVITEs are taken as this provider's from any source port; without them only the resolved
    /// host address with the configured port is.
    /// </summary>
    public IReadOnlyList<IPNetwork> InboundNetworks { get; init; } = [];
}

/// <summary>A number the provider delivers to us, optionally pinned to an internal number.</summary>
/// <param name="Number">The DID in E.164 ("+4930123456200").</param>
/// <param name="Target">The internal number it rings; null routes the DID itself (assigned to a user or group as external number).</param>
public sealed record TrunkDid(string Number, string? Target = null);

/// <summary>
/// A dialled number that starts with <paramref name="Prefix"/> goes out through the trunk: <paramref name="Strip"/>
/// leading digits are removed and <paramref name="Prepend"/> put in front, and the result is normalised to E.164.
/// </summary>
public sealed record DialRule(string Prefix, int Strip, string Prepend);

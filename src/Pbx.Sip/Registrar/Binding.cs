using Pbx.Sip.Transports;

namespace Pbx.Sip.Registrar;

/// <summary>
/// One registered contact of an address-of-record. <see cref="Flow"/> is where the REGISTER really came from:
/// requests to the phone go there, whatever private address the Contact names (NAT).
/// </summary>
/// <param name="Aor">The user part of the address-of-record, lower-cased (the PBX login ID).</param>
/// <param name="InstanceId">RFC 5626 +sip.instance, identifying the device across contact changes.</param>
/// <param name="Q">Contact preference 0.000–1.000 (RFC 3261 §10.2.1.2); 1 when the phone sends none.</param>
/// <param name="Path">Path header values (RFC 3327) to route through, in order.</param>
/// <param name="RegisteredAt">When this binding first appeared; refreshes keep it.</param>
public sealed record Binding(
    string Aor,
    string Contact,
    string? InstanceId,
    int? RegId,
    double Q,
    DateTimeOffset ExpiresAt,
    string CallId,
    uint CSeq,
    SipFlow Flow,
    IReadOnlyList<string> Path,
    string? UserAgent,
    DateTimeOffset UpdatedAt,
    DateTimeOffset RegisteredAt)
{
    /// <summary>
    /// The device says it is a mobile client (RFC 3840 feature tag <c>+sip.mobility="mobile"</c> on its Contact):
    /// auto-pilot rings it first while it is registered.
    /// </summary>
    public bool IsMobile { get; init; }

    /// <summary>What identifies the binding inside its AoR: the device instance when known, else the contact URI.</summary>
    public string Key => InstanceId is null ? Contact : $"{InstanceId};reg-id={RegId}";
}

/// <summary>Reachability from OPTIONS keep-alives, in the words admins grep for.</summary>
public enum Reachability
{
    Unknown,
    Reachable,
    Lagged,
    Unreachable,
}

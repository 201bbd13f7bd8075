using Pbx.Sip.Registrar;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Sip;

/// <summary>
/// Where one <see cref="OutboundFork"/> sends its INVITE: a registration of a PBX user, or a provider through a trunk.
/// The fork itself does not care which, except that a trunk's challenges are answered with its credentials.
/// </summary>
/// <param name="Contact">The Request-URI.</param>
/// <param name="To">The To URI (without angle brackets).</param>
/// <param name="FromUser">The user part of our From; null presents the caller's number.</param>
/// <param name="FromHost">The host of our From; null is the PBX's own host.</param>
internal sealed record ForkTarget(string Contact, SipFlow Flow, IReadOnlyList<string> Path, string To, string? FromUser = null,
    string? FromHost = null, TrunkCredentials? Credentials = null)
{
    /// <summary>The trunk's name when the target is a provider (for logs and the journal), else null.</summary>
    public string? Trunk { get; init; }

    public static ForkTarget Of(Binding binding, string host) =>
        new(binding.Contact, binding.Flow, binding.Path, $"sip:{SipHeaderValues.UserPart(binding.Aor)}@{host}");
}

/// <summary>What a fork answers a provider's 401/407 with.</summary>
internal sealed record TrunkCredentials(string Username, string Password, string? Realm);

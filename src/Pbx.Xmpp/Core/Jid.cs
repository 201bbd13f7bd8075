using System.Diagnostics.CodeAnalysis;

namespace Pbx.Xmpp.Core;

/// <summary>
/// An XMPP address (RFC 7622). Localpart and domain are case-folded so that equality matches
/// how the server identifies accounts; the resource keeps its case, as the RFC requires.
/// </summary>
public sealed class Jid : IEquatable<Jid>
{
    private const int MaxPartBytes = 1023;
    private static readonly char[] ForbiddenLocalChars = ['"', '&', '\'', '/', ':', '<', '>', '@', ' '];

    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        Domain = domain;
        Resource = resource;
    }

    public string? Local { get; }
    public string Domain { get; }
    public string? Resource { get; }
    public bool IsBare => Resource is null;
    public bool IsServer => Local is null && Resource is null;

    public Jid Bare => Resource is null ? this : new Jid(Local, Domain, null);

    public static Jid Create(string? local, string domain, string? resource = null)
    {
        if (!TryCreate(local, domain, resource, out var jid))
        {
            throw new ArgumentException($"Invalid JID parts '{local}@{domain}/{resource}'.");
        }
        return jid;
    }

    public static bool TryCreate(string? local, string domain, string? resource, [NotNullWhen(true)] out Jid? jid)
    {
        jid = null;
        local = local is null ? null : NormalizeLocal(local);
        domain = domain.ToLowerInvariant().TrimEnd('.');
        if (local is not null && !IsValidLocal(local)) return false;
        if (!IsValidDomain(domain)) return false;
        if (resource is not null && !IsValidResource(resource)) return false;
        jid = new Jid(local, domain, resource);
        return true;
    }

    public static Jid Parse(string text) =>
        TryParse(text, out var jid) ? jid : throw new FormatException($"Invalid JID '{text}'.");

    public static bool TryParse(string? text, [NotNullWhen(true)] out Jid? jid)
    {
        jid = null;
        if (string.IsNullOrEmpty(text)) return false;
        // Per RFC 7622 §3.1 the resource is everything after the first '/', and may itself contain '@' or '/'.
        int slash = text.IndexOf('/');
        string? resource = null;
        string head = text;
        if (slash >= 0)
        {
            resource = text[(slash + 1)..];
            head = text[..slash];
        }
        int at = head.IndexOf('@');
        string? local = at >= 0 ? head[..at] : null;
        string domain = at >= 0 ? head[(at + 1)..] : head;
        return TryCreate(local, domain, resource, out jid);
    }

    public Jid WithResource(string resource) => Create(Local, Domain, resource);

    public static string NormalizeLocal(string local) => local.ToLowerInvariant();

    private static bool IsValidLocal(string local) =>
        local.Length > 0
        && System.Text.Encoding.UTF8.GetByteCount(local) <= MaxPartBytes
        && local.IndexOfAny(ForbiddenLocalChars) < 0
        && !HasControlCharacters(local);

    private static bool IsValidDomain(string domain) =>
        domain.Length > 0
        && System.Text.Encoding.UTF8.GetByteCount(domain) <= MaxPartBytes
        && domain.IndexOfAny(['@', '/', ' ', '<', '>', '"', '\'', '&']) < 0
        && !HasControlCharacters(domain);

    private static bool IsValidResource(string resource) =>
        resource.Length > 0
        && System.Text.Encoding.UTF8.GetByteCount(resource) <= MaxPartBytes
        && !HasControlCharacters(resource);

    private static bool HasControlCharacters(string value)
    {
        foreach (char c in value)
        {
            if (char.IsControl(c)) return true;
        }
        return false;
    }

    public override string ToString()
    {
        string head = Local is null ? Domain : string.Concat(Local, "@", Domain);
        return Resource is null ? head : string.Concat(head, "/", Resource);
    }

    public bool Equals(Jid? other) =>
        other is not null
        && string.Equals(Local, other.Local, StringComparison.Ordinal)
        && string.Equals(Domain, other.Domain, StringComparison.Ordinal)
        && string.Equals(Resource, other.Resource, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Jid other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Local, Domain, Resource);

    public static bool operator ==(Jid? left, Jid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Jid? left, Jid? right) => !(left == right);
}

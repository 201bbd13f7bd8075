namespace Pbx.Server.Configuration;

/// <summary>One invalid setting, printed to the admin as "Key: reason".</summary>
public sealed record ConfigError(string Key, string Reason)
{
    public override string ToString() => $"{Key}: {Reason}";
}

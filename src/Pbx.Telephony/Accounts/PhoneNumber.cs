namespace Pbx.Telephony.Accounts;

public enum NumberKind
{
    /// <summary>An extension dialled inside the PBX.</summary>
    Internal,
    /// <summary>A DID reached from the public network, kept in E.164.</summary>
    External,
}

/// <summary>A number assigned to exactly one user or one group.</summary>
public sealed record PhoneNumber(string Number, NumberKind Kind, string? UserLoginId, string? GroupName);

namespace Pbx.Telephony.Accounts;

/// <summary>A PBX user: the person behind SIP devices and an XMPP account, both logging in with <see cref="LoginId"/>.</summary>
public sealed record User(
    long Id,
    string LoginId,
    string DisplayName,
    string? Email,
    string Language,
    DateTimeOffset CreatedAt);

/// <summary>The fields an admin supplies for a new user; the password is turned into <see cref="PasswordMaterial"/> at once.</summary>
public sealed record NewUser(string LoginId, string DisplayName, string? Email, string Language, string Password);

/// <summary>A partial update: null leaves a field as it is.</summary>
public sealed record UserChanges(string? DisplayName = null, string? Email = null, string? Language = null, string? Password = null);

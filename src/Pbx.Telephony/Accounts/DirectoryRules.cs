using System.Text.RegularExpressions;

namespace Pbx.Telephony.Accounts;

/// <summary>One invalid field of an admin request, named the way the API names it.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// The shape rules for directory data. Login IDs must be valid as a SIP user part and an XMPP localpart at once;
/// numbers are either extensions or E.164 DIDs, never anything a dial rule could confuse with a trunk prefix.
/// </summary>
public static partial class DirectoryRules
{
    public static readonly IReadOnlyList<string> Languages = ["en", "de", "fr"];
    public const int MinPasswordLength = 8;
    public const int MaxDisplayNameLength = 100;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex LoginIdPattern();

    // Extensions never start with 0: a leading 0 is the usual trunk prefix.
    [GeneratedRegex("^[1-9][0-9]{1,9}$")]
    private static partial Regex InternalNumberPattern();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164Pattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")]
    private static partial Regex GroupNamePattern();

    public static bool IsLoginId(string? value) => value is not null && LoginIdPattern().IsMatch(value);
    public static bool IsE164(string? value) => value is not null && E164Pattern().IsMatch(value);

    public static NumberKind? ClassifyNumber(string? value) =>
        value is null ? null
        : InternalNumberPattern().IsMatch(value) ? NumberKind.Internal
        : E164Pattern().IsMatch(value) ? NumberKind.External
        : null;

    public static List<FieldError> Check(NewUser user)
    {
        var errors = new List<FieldError>();
        if (!IsLoginId(user.LoginId))
            errors.Add(new("loginId", "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        CheckDisplayName(user.DisplayName, errors);
        CheckEmail(user.Email, errors);
        CheckLanguage(user.Language, errors);
        CheckPassword(user.Password, errors);
        return errors;
    }

    public static List<FieldError> Check(UserChanges changes)
    {
        var errors = new List<FieldError>();
        if (changes.DisplayName is not null) CheckDisplayName(changes.DisplayName, errors);
        CheckEmail(changes.Email, errors);
        if (changes.Language is not null) CheckLanguage(changes.Language, errors);
        if (changes.Password is not null) CheckPassword(changes.Password, errors);
        return errors;
    }

    public static List<FieldError> CheckNumberAssignment(string? number, string? userLoginId, string? groupName)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(number))
            errors.Add(new("number", "is required"));
        else if (ClassifyNumber(number) is null)
            errors.Add(new("number", "must be an extension of 2-10 digits not starting with 0, or an E.164 number such as +4930123456"));
        if ((userLoginId is null) == (groupName is null))
            errors.Add(new("user", "exactly one of 'user' and 'group' must be given"));
        return errors;
    }

    public static List<FieldError> Check(NewDevice device)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(device.Name) || device.Name.Length > MaxDisplayNameLength)
            errors.Add(new("name", $"is required, at most {MaxDisplayNameLength} characters"));
        var reachedThroughTrunk = device.Kind is DeviceKind.CellNumber or DeviceKind.Added;
        if (reachedThroughTrunk && !IsE164(device.Number))
            errors.Add(new("number", "a cell or added device needs an E.164 number such as +491701234567"));
        if (!reachedThroughTrunk && device.Number is not null)
            errors.Add(new("number", "only cell and added devices carry a number; SIP devices are reached through their registration"));
        if (device.MaxRingSeconds is { } ring && (ring < 5 || ring > 600))
            errors.Add(new("maxRingSeconds", "must be between 5 and 600 seconds, or absent for unlimited"));
        return errors;
    }

    public static List<FieldError> Check(NewGroup group)
    {
        var errors = new List<FieldError>();
        if (group.Name is null || !GroupNamePattern().IsMatch(group.Name))
            errors.Add(new("name", "must be 1-64 letters, digits, spaces, '.', '_' or '-'"));
        CheckMembers(group.MemberLoginIds, errors);
        return errors;
    }

    public static void CheckMembers(IReadOnlyList<string>? members, List<FieldError> errors)
    {
        if (members is null) { errors.Add(new("members", "is required (it may be empty)")); return; }
        if (members.Any(m => !IsLoginId(m)))
            errors.Add(new("members", "every member must be a login ID"));
        else if (members.Distinct(StringComparer.OrdinalIgnoreCase).Count() != members.Count)
            errors.Add(new("members", "a user can be a member only once"));
    }

    private static void CheckDisplayName(string? name, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxDisplayNameLength || name.Any(char.IsControl))
            errors.Add(new("displayName", $"is required, at most {MaxDisplayNameLength} characters, no control characters"));
    }

    private static void CheckEmail(string? email, List<FieldError> errors)
    {
        if (!string.IsNullOrEmpty(email) && (email.Length > 254 || !EmailPattern().IsMatch(email)))
            errors.Add(new("email", "is not an e-mail address"));
    }

    private static void CheckLanguage(string? language, List<FieldError> errors)
    {
        if (language is null || !Languages.Contains(language))
            errors.Add(new("language", $"must be one of {string.Join(", ", Languages)}"));
    }

    private static void CheckPassword(string? password, List<FieldError> errors)
    {
        if (password is null || password.Length < MinPasswordLength)
            errors.Add(new("password", $"must be at least {MinPasswordLength} characters"));
    }
}

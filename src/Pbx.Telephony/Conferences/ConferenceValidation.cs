using Pbx.Telephony.Accounts;

namespace Pbx.Telephony.Conferences;

/// <summary>
/// What an admin may store as a conference or dial-in room. Definitions come from JSON, so strings and lists the
/// records declare non-null may still be missing; every rule names the field as the API spells it (camelCase, [index]).
/// </summary>
public static class ConferenceValidation
{
    public const int MaxNameLength = 100;
    public const int MinPinDigits = 4;
    public const int MaxPinDigits = 12;
    public const int MaxRoomNumberDigits = 20;
    public const int MaxRoomParticipants = 500;
    public const int MaxInvitees = 100;
    public const int MaxInviteeNumberDigits = 20;
    public static readonly TimeSpan MinDuration = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    public static IReadOnlyList<FieldError> Validate(ScheduledConference c)
    {
        var errors = new List<FieldError>();
        CheckName(c.Name, errors);
        if (!Enum.IsDefined(c.Repetition)) errors.Add(new("repetition", "must be Once, Daily, Weekly or Monthly"));
        if (c.Duration < MinDuration || c.Duration > MaxDuration)
            errors.Add(new("duration", $"must be between {MinDuration:c} and {MaxDuration:c}"));
        if (!IsPin(c.Pin)) errors.Add(new("pin", $"must be {MinPinDigits}-{MaxPinDigits} digits"));
        CheckParticipants(c.Participants, errors);
        return errors;
    }

    public static IReadOnlyList<FieldError> ValidateRoom(ConferenceRoomDefinition r)
    {
        var errors = new List<FieldError>();
        if (r.Number is null || r.Number.Length is 0 or > MaxRoomNumberDigits || !r.Number.All(char.IsAsciiDigit))
            errors.Add(new("number", $"must be 1-{MaxRoomNumberDigits} digits"));
        CheckName(r.Name, errors);
        // A room without a PIN is deliberate (an open bridge), so empty is allowed where a scheduled conference needs one.
        if (!string.IsNullOrEmpty(r.Pin) && !IsPin(r.Pin))
            errors.Add(new("pin", $"must be {MinPinDigits}-{MaxPinDigits} digits, or empty for no PIN"));
        if (r.MaxParticipants is < 0 or > MaxRoomParticipants)
            errors.Add(new("maxParticipants", $"must be between 0 (the system limit) and {MaxRoomParticipants}"));
        return errors;
    }

    private static void CheckName(string? name, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
            errors.Add(new("name", $"is required, at most {MaxNameLength} characters"));
    }

    private static void CheckParticipants(IReadOnlyList<ConferenceInvitee?>? participants, List<FieldError> errors)
    {
        if (participants is not { Count: > 0 } || participants.Count > MaxInvitees)
        {
            errors.Add(new("participants", $"needs 1-{MaxInvitees} entries"));
            if (participants is null) return;
        }
        for (var i = 0; i < participants.Count; i++)
        {
            var field = $"participants[{i}]";
            switch (participants[i])
            {
                case null:
                    errors.Add(new(field, "is required"));
                    break;
                case { LoginId: not null, Number: not null } or { LoginId: null, Number: null }:
                    errors.Add(new(field, "exactly one of 'loginId' and 'number' must be given"));
                    break;
                case { LoginId: { } loginId } when !DirectoryRules.IsLoginId(loginId):
                    errors.Add(new($"{field}.loginId", "must be a login ID"));
                    break;
                case { Number: { } number } when !IsDialNumber(number):
                    errors.Add(new($"{field}.number", $"must be 1-{MaxInviteeNumberDigits} digits with an optional leading '+'"));
                    break;
            }
        }
        // Someone has to be able to mute and kick; a conference of guests only would run unattended.
        if (participants.Count > 0 && !participants.Any(p => p is { IsModerator: true }))
            errors.Add(new("participants", "needs at least one moderator"));
    }

    private static bool IsPin(string? pin) =>
        pin is { Length: >= MinPinDigits and <= MaxPinDigits } && pin.All(char.IsAsciiDigit);

    private static bool IsDialNumber(string number)
    {
        var digits = number.StartsWith('+') ? number[1..] : number;
        return digits.Length is > 0 and <= MaxInviteeNumberDigits && digits.All(char.IsAsciiDigit);
    }
}

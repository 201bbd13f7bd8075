using Pbx.Telephony.Accounts;

namespace Pbx.Telephony.Routing;

/// <summary>
/// What an admin may store for a routing feature. Settings come from JSON, so collections the records declare
/// non-null may still be missing; every rule names the field as the API spells it (camelCase, dotted, [index]).
/// </summary>
public static class RoutingSettingsValidation
{
    public const int MinTimeoutSeconds = 5;
    public const int MaxTimeoutSeconds = 120;
    private static readonly TimeSpan MaxRingTime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxIfmcDelay = TimeSpan.FromSeconds(120);

    /// <summary>Null when the seconds are allowed; used before a <see cref="TimeoutRedirection"/> exists, whose constructor throws.</summary>
    public static string? CheckTimeoutSeconds(int seconds) =>
        seconds is < MinTimeoutSeconds or > MaxTimeoutSeconds ? $"must be between {MinTimeoutSeconds} and {MaxTimeoutSeconds} seconds" : null;

    public static List<FieldError> Validate(object settings)
    {
        var errors = new List<FieldError>();
        switch (settings)
        {
            case RedirectionSettings r: Check(r, errors); break;
            case DndSettings: break;
            case IfmcSettings i: Check(i, errors); break;
            case Blacklist b: Check(b, errors); break;
            case BarringSettings b: Check(b, errors); break;
            case AutoPilotSettings a: Check(a, errors); break;
            case CallHuntingSettings h: Check(h, errors); break;
            default: throw new ArgumentException($"{settings.GetType().Name} is not a routing feature's settings", nameof(settings));
        }
        return errors;
    }

    private static void Check(RedirectionSettings settings, List<FieldError> errors)
    {
        CheckDestination(settings.Always, "always", errors);
        CheckDestination(settings.Busy, "busy", errors);
        if (settings.Timeout is { } timeout)
        {
            // The record is only ever off (null) or on with a destination; a timeout without one is refused, not kept inactive.
            if (timeout.Destination is null) errors.Add(new("timeout.destination", "is required: a redirection without a destination cannot be active"));
            else CheckDestination(timeout.Destination, "timeout.destination", errors);
        }
        if (settings.ExceptionCallers is { } callers && callers.Any(c => !DirectoryRules.IsLoginId(c) && DirectoryRules.ClassifyNumber(c) is null))
            errors.Add(new("exceptionCallers", "every entry must be a login ID or a number"));
    }

    private static void CheckDestination(RedirectDestination? destination, string field, List<FieldError> errors)
    {
        switch (destination)
        {
            case RedirectDestination.Number { Value: var number } when DirectoryRules.ClassifyNumber(number) is null:
                errors.Add(new($"{field}.number", "must be an extension or an E.164 number such as +4930123456"));
                break;
            case RedirectDestination.Mailbox { MailboxId: var mailbox } when !DirectoryRules.IsLoginId(mailbox):
                errors.Add(new($"{field}.mailbox", "must be a mailbox ID (a login ID)"));
                break;
        }
    }

    private static void Check(IfmcSettings settings, List<FieldError> errors)
    {
        if (settings.Configurations is null) { errors.Add(new("configurations", "is required (it may be empty)")); return; }
        for (var i = 0; i < settings.Configurations.Count; i++)
        {
            var field = $"configurations[{i}]";
            var configuration = settings.Configurations[i];
            if (!DirectoryRules.IsE164(configuration.E164))
                errors.Add(new($"{field}.e164", "must be in full international format: '+' and digits, such as +491701234567"));
            if (configuration.Delay < TimeSpan.Zero || configuration.Delay > MaxIfmcDelay)
                errors.Add(new($"{field}.delay", $"must be between 00:00:00 and {MaxIfmcDelay:c}"));
            if (configuration.Schedule is { } schedule) Check(schedule, $"{field}.schedule", errors);
        }
    }

    private static void Check(IfmcSchedule schedule, string field, List<FieldError> errors)
    {
        if (schedule.TimeZoneId is null || !TimeZoneInfo.TryFindSystemTimeZoneById(schedule.TimeZoneId, out _))
            errors.Add(new($"{field}.timeZoneId", "must be an IANA time zone ID such as Europe/Berlin"));
        if (schedule.Windows is not { Count: > 0 }) { errors.Add(new($"{field}.windows", "needs at least one window (leave out the schedule for always)")); return; }
        for (var i = 0; i < schedule.Windows.Count; i++)
        {
            var window = schedule.Windows[i];
            if (window.Days is not { Count: > 0 })
                errors.Add(new($"{field}.windows[{i}].days", "needs at least one day"));
            // Equal ends would be read as a full day starting there; only midnight to midnight says that plainly.
            if (window.From == window.To && window.From != TimeOnly.MinValue)
                errors.Add(new($"{field}.windows[{i}].to", "must differ from 'from' (00:00 to 00:00 is the whole day)"));
        }
    }

    private static void Check(Blacklist blacklist, List<FieldError> errors)
    {
        if (blacklist.Numbers is null) errors.Add(new("numbers", "is required (it may be empty)"));
        else if (blacklist.Numbers.Any(n => !IsDialString(n, minDigits: 2)))
            errors.Add(new("numbers", "every entry must be a number: digits with an optional leading '+'"));
        if (blacklist.Prefixes is null) errors.Add(new("prefixes", "is required (it may be empty)"));
        else if (blacklist.Prefixes.Any(p => !IsDialString(p, minDigits: 1)))
            errors.Add(new("prefixes", "every entry must be a number prefix: at least one digit, with an optional leading '+'"));
    }

    private static void Check(BarringSettings settings, List<FieldError> errors)
    {
        if (settings.Pin is { } pin && (pin.Length is < 4 or > 8 || !pin.All(char.IsAsciiDigit)))
            errors.Add(new("pin", "must be 4-8 digits, or null for no PIN"));
    }

    private static void Check(AutoPilotSettings settings, List<FieldError> errors)
    {
        if (!Enum.IsDefined(settings.Preferred)) errors.Add(new("preferred", "is not a known preferred device"));
        if (settings.CellNumber is not null && !DirectoryRules.IsE164(settings.CellNumber))
            errors.Add(new("cellNumber", "must be in full international format such as +491701234567"));
        if (settings.RouteCallsToCell && settings.CellNumber is null)
            errors.Add(new("cellNumber", "is required when routeCallsToCell is true"));
        if (settings.Preferred == PreferredDevice.AddedDevice && settings.AddedDevice is null)
            errors.Add(new("addedDevice", "is required when preferred is AddedDevice"));
        if (settings.AddedDevice is { } added)
        {
            if (!DirectoryRules.IsE164(added.Number)) errors.Add(new("addedDevice.number", "must be in full international format such as +491701234567"));
            if (string.IsNullOrWhiteSpace(added.Name)) errors.Add(new("addedDevice.name", "is required"));
            if (added.MaxRingSeconds is < 5 or > 600) errors.Add(new("addedDevice.maxRingSeconds", "must be between 5 and 600 seconds, or null for unlimited"));
        }
        if (settings.Times is { } times)
        {
            CheckRingTime(times.MobileClient, "times.mobileClient", errors);
            CheckRingTime(times.Desk, "times.desk", errors);
            CheckRingTime(times.Cell, "times.cell", errors);
        }
        if (settings.MailboxId is not null && !DirectoryRules.IsLoginId(settings.MailboxId))
            errors.Add(new("mailboxId", "must be a mailbox ID (a login ID), or null for the user's own"));
    }

    private static void Check(CallHuntingSettings settings, List<FieldError> errors)
    {
        if (settings.MemberRingTime is { } member) CheckRingTime(member, "memberRingTime", errors);
        if (settings.GroupTimeout is { } group) CheckRingTime(group, "groupTimeout", errors);
    }

    private static void CheckRingTime(TimeSpan value, string field, List<FieldError> errors)
    {
        if (value <= TimeSpan.Zero || value > MaxRingTime)
            errors.Add(new(field, $"must be more than 00:00:00 and at most {MaxRingTime:c}"));
    }

    private static bool IsDialString(string? value, int minDigits)
    {
        if (value is null) return false;
        var digits = value.StartsWith('+') ? value[1..] : value;
        return digits.Length >= minDigits && digits.Length <= 16 && digits.All(char.IsAsciiDigit);
    }
}

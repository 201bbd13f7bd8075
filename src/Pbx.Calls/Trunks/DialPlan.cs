using System.Text;

namespace Pbx.Calls.Trunks;

/// <summary>Which trunk a dialled number leaves through, and the E.164 number it is sent as.</summary>
public sealed record DialOut(TrunkSettings Trunk, string E164);

/// <summary>Dial rules and E.164 normalisation: pure functions, so policy is tested without SIP.</summary>
public static class DialPlan
{
    /// <summary>
    /// The rule with the longest matching prefix over all trunks wins (so "00" beats "0"); among equal prefixes the
    /// trunk listed first. Null when no rule matches or the result is not a valid E.164 number.
    /// </summary>
    public static DialOut? Match(IReadOnlyList<TrunkSettings> trunks, string dialled)
    {
        var digits = Clean(dialled);
        if (digits.Length == 0) return null;
        (TrunkSettings Trunk, DialRule Rule)? best = null;
        foreach (var trunk in trunks)
        {
            foreach (var rule in trunk.DialRules)
            {
                if (!digits.StartsWith(rule.Prefix, StringComparison.Ordinal)) continue;
                if (best is null || rule.Prefix.Length > best.Value.Rule.Prefix.Length) best = (trunk, rule);
            }
        }
        if (best is not { } chosen || chosen.Rule.Strip > digits.Length) return null;
        var rewritten = chosen.Rule.Prepend + digits[chosen.Rule.Strip..];
        return ToE164(rewritten, chosen.Trunk.CountryCode) is { } e164 ? new DialOut(chosen.Trunk, e164) : null;
    }

    /// <summary>
    /// "+…" stays, "00…" is international, "0…" national (the trunk's country code replaces the 0); other digit strings
    /// are taken as international without the plus, the way many providers write Request-URIs ("4930…").
    /// Null when the result is not '+' and 7 to 15 digits without a leading zero.
    /// </summary>
    public static string? ToE164(string number, string countryCode)
    {
        var digits = Clean(number);
        string candidate;
        if (digits.StartsWith('+')) candidate = digits;
        else if (digits.StartsWith("00", StringComparison.Ordinal)) candidate = "+" + digits[2..];
        else if (digits.StartsWith('0'))
        {
            if (countryCode.Length == 0) return null;
            candidate = "+" + countryCode + digits[1..];
        }
        else candidate = "+" + digits;
        return IsE164(candidate) ? candidate : null;
    }

    public static bool IsE164(string value)
    {
        if (value.Length < 8 || value.Length > 16 || value[0] != '+' || value[1] == '0') return false;
        for (var i = 1; i < value.Length; i++)
            if (!char.IsAsciiDigit(value[i])) return false;
        return true;
    }

    /// <summary>Drops the separators people type or phones send (spaces, dashes, dots, brackets); keeps digits, '+', '*', '#'.</summary>
    private static string Clean(string number)
    {
        var builder = new StringBuilder(number.Length);
        foreach (var c in number)
        {
            if (char.IsAsciiDigit(c) || c is '*' or '#' || c == '+' && builder.Length == 0) builder.Append(c);
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/')) return "";
        }
        return builder.ToString();
    }
}

/// <summary>Where an INVITE from a provider goes.</summary>
public static class InboundPlan
{
    /// <summary>
    /// The number routing sees for a DID the provider sent: a configured DID's target extension, else the DID in E.164
    /// (routing finds the user or group it is assigned to as external number), else the Request-URI user unchanged.
    /// </summary>
    public static string CalledNumber(TrunkSettings trunk, string requestUser)
    {
        var e164 = DialPlan.ToE164(requestUser, trunk.CountryCode);
        foreach (var did in trunk.Dids)
        {
            if (e164 is not null && string.Equals(DialPlan.ToE164(did.Number, trunk.CountryCode), e164, StringComparison.Ordinal)
                || string.Equals(did.Number, requestUser, StringComparison.Ordinal))
                return did.Target ?? e164 ?? requestUser;
        }
        return e164 ?? requestUser;
    }
}

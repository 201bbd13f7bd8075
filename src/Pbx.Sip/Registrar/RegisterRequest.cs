using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Pbx.Sip.Messages;

namespace Pbx.Sip.Registrar;

/// <summary>One Contact of a REGISTER with its requested lifetime (0 removes it).</summary>
public sealed record ContactChange(string Contact, int ExpiresSeconds, double Q, string? InstanceId, int? RegId, bool IsMobile = false);

/// <summary>What a REGISTER asks for, read out of the message before the binding table is touched.</summary>
public sealed record RegisterRequest(
    string Aor,
    bool RemoveAll,
    IReadOnlyList<ContactChange> Contacts,
    string CallId,
    uint CSeq,
    IReadOnlyList<string> Path,
    string? UserAgent,
    bool SupportsOutbound)
{
    /// <summary>Reads a REGISTER; on failure <paramref name="status"/>/<paramref name="reason"/> is the answer to send.</summary>
    public static RegisterRequest? TryRead(SipMessage request, RegistrarOptions options, out int status, out string reason)
    {
        status = 0;
        reason = "";
        var to = request.To.Uri;
        if (!to.IsSipOrSips || !to.HasUser)
        {
            (status, reason) = (404, "Not Found");
            return null;
        }
        int? headerExpires = null;
        if (request.TryGetHeader(HeaderKind.Expires, out var expiresValue))
        {
            if (!TryParseDelta(expiresValue, out var parsed)) { (status, reason) = (400, "Bad Request - Invalid Expires"); return null; }
            headerExpires = parsed;
        }

        var contacts = new List<ContactChange>();
        var wildcard = false;
        foreach (ref readonly var contact in request.Contacts)
        {
            if (contact.IsWildcard) { wildcard = true; continue; }
            int? expires = null;
            if (contact.TryGetParameter("expires"u8, out var value))
            {
                if (!TryParseDelta(value, out var parsed)) { (status, reason) = (400, "Bad Request - Invalid Contact expires"); return null; }
                expires = parsed;
            }
            var q = 1.0;
            if (contact.TryGetParameter("q"u8, out var qValue) &&
                (!double.TryParse(Encoding.ASCII.GetString(qValue), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out q) || q > 1))
            {
                (status, reason) = (400, "Bad Request - Invalid q");
                return null;
            }
            string? instance = contact.TryGetParameter("+sip.instance"u8, out var inst) ? Encoding.UTF8.GetString(inst).Trim('"') : null;
            int? regId = contact.TryGetParameter("reg-id"u8, out var reg) && Utf8Parser.TryParse(reg, out int r, out var used) && used == reg.Length ? r : null;
            bool mobile = contact.TryGetParameter("+sip.mobility"u8, out var mobility)
                && Encoding.UTF8.GetString(mobility).Trim('"').Equals("mobile", StringComparison.OrdinalIgnoreCase);
            contacts.Add(new ContactChange(Encoding.UTF8.GetString(contact.Uri.Raw), expires ?? headerExpires ?? options.DefaultExpiresSeconds, q, instance, regId, mobile));
        }
        // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
        if (wildcard && (contacts.Count > 0 || headerExpires != 0))
        {
            (status, reason) = (400, "Bad Request - Wildcard Contact needs Expires: 0 and no other Contact");
            return null;
        }
        if (contacts.Count > options.MaxContactsPerAor)
        {
            (status, reason) = (403, "Forbidden - Too Many Contacts");
            return null;
        }

        var path = new List<string>();
        for (var i = 0; i < request.HeaderCount; i++)
        {
            var header = request.GetHeader(i);
            if (Ascii.EqualsIgnoreCase(header.Name, "Path"u8))
                path.AddRange(Encoding.UTF8.GetString(header.Value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        var supportsOutbound = request.TryGetHeader("Supported", out string supported) &&
            supported.Split(',', StringSplitOptions.TrimEntries).Contains("outbound", StringComparer.OrdinalIgnoreCase);
        request.TryGetHeader("User-Agent", out string userAgent);

        return new RegisterRequest(
            Encoding.UTF8.GetString(to.User).ToLowerInvariant(),
            wildcard,
            contacts,
            request.CallIdString,
            request.CSeq.Number,
            path,
            string.IsNullOrEmpty(userAgent) ? null : userAgent,
            supportsOutbound);
    }

    private static bool TryParseDelta(ReadOnlySpan<byte> value, out int seconds)
    {
        value = value.Trim(" \t"u8);
        // RFC 3261 §20.19: a delta larger than 2^32-1 is taken as that; we cap at int.MaxValue and clamp later.
        if (Utf8Parser.TryParse(value, out ulong parsed, out var used) && used == value.Length)
        {
            seconds = (int)Math.Min(parsed, int.MaxValue);
            return true;
        }
        seconds = 0;
        return false;
    }
}

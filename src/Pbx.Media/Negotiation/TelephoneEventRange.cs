using System.Globalization;
using System.Text;

namespace Pbx.Media.Negotiation;

/// <summary>The event list of an RFC 4733 telephone-event fmtp, e.g. "0-15,66,70-72".</summary>
public sealed class TelephoneEventRange
{
    private readonly bool[] _events = new bool[256];

    /// <summary>RFC 4733 §7.1.1: an absent fmtp means events 0-15.</summary>
    public static TelephoneEventRange DtmfOnly { get; } = FromInclusive(0, 15);

    public static TelephoneEventRange FromInclusive(int first, int last)
    {
        var range = new TelephoneEventRange();
        for (var code = first; code <= last; code++) range._events[code] = true;
        return range;
    }

    public static bool TryParse(string? fmtp, out TelephoneEventRange range)
    {
        range = new TelephoneEventRange();
        if (fmtp is null) return false;
        foreach (var rawPart in fmtp.Split(',', StringSplitOptions.TrimEntries))
        {
            var dash = rawPart.IndexOf('-');
            var firstText = dash < 0 ? rawPart : rawPart[..dash];
            var lastText = dash < 0 ? rawPart : rawPart[(dash + 1)..];
            if (!TryParseEvent(firstText, out var first) || !TryParseEvent(lastText, out var last) || last < first) return false;
            for (var code = first; code <= last; code++) range._events[code] = true;
        }
        return true;
    }

    public bool Contains(int eventCode) => eventCode is >= 0 and <= 255 && _events[eventCode];

    public bool IsEmpty => !_events.Contains(true);

    public TelephoneEventRange Intersect(TelephoneEventRange other)
    {
        var result = new TelephoneEventRange();
        for (var code = 0; code < 256; code++) result._events[code] = _events[code] && other._events[code];
        return result;
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        var code = 0;
        while (code < 256)
        {
            if (!_events[code])
            {
                code++;
                continue;
            }
            var last = code;
            while (last + 1 < 256 && _events[last + 1]) last++;
            if (builder.Length > 0) builder.Append(',');
            builder.Append(code.ToString(CultureInfo.InvariantCulture));
            if (last > code) builder.Append('-').Append(last.ToString(CultureInfo.InvariantCulture));
            code = last + 1;
        }
        return builder.ToString();
    }

    private static bool TryParseEvent(string text, out int code) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code) && code <= 255;
}

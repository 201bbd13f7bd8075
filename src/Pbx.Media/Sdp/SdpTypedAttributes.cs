using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pbx.Media.Sdp;

/// <summary>a=rtpmap value (RFC 8866 §6.6): &lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;].</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtpMap? rtpMap)
    {
        rtpMap = null;
        if (value is null) return false;
        var space = value.IndexOf(' ');
        if (space <= 0 || !SdpText.TryParsePayloadType(value.AsSpan(0, space), out var payloadType)) return false;
        var encoding = value.AsSpan(space + 1).Trim();
        var parts = encoding.ToString().Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !SdpText.IsToken(parts[0])) return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clockRate) || clockRate <= 0) return false;
        int? channels = null;
        if (parts.Length == 3)
        {
            if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var parsedChannels) || parsedChannels <= 0) return false;
            channels = parsedChannels;
        }
        rtpMap = new SdpRtpMap(payloadType, parts[0], clockRate, channels);
        return true;
    }

    public string ToAttributeValue() => Channels is { } channels
        ? string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}/{channels}")
        : string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}");
}

/// <summary>a=fmtp value (RFC 8866 §6.15): &lt;format&gt; &lt;format specific parameters&gt;.</summary>
public sealed record SdpFmtp(int PayloadType, string Parameters)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpFmtp? fmtp)
    {
        fmtp = null;
        if (value is null) return false;
        var space = value.IndexOf(' ');
        if (space <= 0 || !SdpText.TryParsePayloadType(value.AsSpan(0, space), out var payloadType)) return false;
        fmtp = new SdpFmtp(payloadType, value[(space + 1)..].Trim());
        return true;
    }

    public string ToAttributeValue() => string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {Parameters}");
}

/// <summary>a=rtcp value (RFC 3605): &lt;port&gt; [&lt;nettype&gt; &lt;addrtype&gt; &lt;address&gt;].</summary>
public sealed record SdpRtcpAttribute(int Port, SdpConnection? Connection = null)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtcpAttribute? rtcp)
    {
        rtcp = null;
        if (value is null) return false;
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (1 or 4) || !SdpText.TryParsePort(fields[0], out var port)) return false;
        SdpConnection? connection = null;
        if (fields.Length == 4)
        {
            if (!SdpText.IsToken(fields[1]) || !SdpText.IsToken(fields[2])) return false;
            connection = new SdpConnection(fields[1], fields[2], fields[3]);
        }
        rtcp = new SdpRtcpAttribute(port, connection);
        return true;
    }

    public string ToAttributeValue() => Connection is { } connection
        ? string.Create(CultureInfo.InvariantCulture, $"{Port} {connection.NetworkType} {connection.AddressType} {connection.Address}")
        : Port.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;

namespace Pbx.Media.Sdp;

/// <summary>Writes a description in RFC 8866 line order with CRLF line ends.</summary>
public static class SdpSerializer
{
    public static string Serialize(SessionDescription session)
    {
        var builder = new StringBuilder(512);
        Line(builder, 'v', session.Version.ToString(CultureInfo.InvariantCulture));
        var origin = session.Origin;
        Line(builder, 'o', string.Create(CultureInfo.InvariantCulture,
            $"{origin.Username} {origin.SessionId} {origin.SessionVersion} {origin.NetworkType} {origin.AddressType} {origin.UnicastAddress}"));
        Line(builder, 's', session.SessionName);
        if (session.Information is not null) Line(builder, 'i', session.Information);
        if (session.Uri is not null) Line(builder, 'u', session.Uri);
        foreach (var email in session.Emails) Line(builder, 'e', email);
        foreach (var phone in session.Phones) Line(builder, 'p', phone);
        if (session.Connection is not null) Line(builder, 'c', session.Connection.ToString());
        WriteBandwidths(builder, session.Bandwidths);
        if (session.Timings.Count == 0) Line(builder, 't', "0 0");
        foreach (var timing in session.Timings)
        {
            Line(builder, 't', string.Create(CultureInfo.InvariantCulture, $"{timing.StartTime} {timing.StopTime}"));
            foreach (var repeat in timing.Repeats) Line(builder, 'r', repeat);
        }
        if (session.TimeZones is not null) Line(builder, 'z', session.TimeZones);
        if (session.EncryptionKey is not null) Line(builder, 'k', session.EncryptionKey);
        WriteAttributes(builder, session.Attributes);
        foreach (var media in session.Media) WriteMedia(builder, media);
        return builder.ToString();
    }

    private static void WriteMedia(StringBuilder builder, MediaDescription media)
    {
        builder.Append("m=").Append(media.MediaType).Append(' ').Append(media.Port.ToString(CultureInfo.InvariantCulture));
        if (media.PortCount is { } count) builder.Append('/').Append(count.ToString(CultureInfo.InvariantCulture));
        builder.Append(' ').Append(media.Protocol);
        foreach (var format in media.Formats) builder.Append(' ').Append(format);
        builder.Append("\r\n");
        if (media.Information is not null) Line(builder, 'i', media.Information);
        foreach (var connection in media.Connections) Line(builder, 'c', connection.ToString());
        WriteBandwidths(builder, media.Bandwidths);
        if (media.EncryptionKey is not null) Line(builder, 'k', media.EncryptionKey);
        WriteAttributes(builder, media.Attributes);
    }

    private static void WriteBandwidths(StringBuilder builder, List<SdpBandwidth> bandwidths)
    {
        foreach (var bandwidth in bandwidths)
            Line(builder, 'b', string.Create(CultureInfo.InvariantCulture, $"{bandwidth.Type}:{bandwidth.Value}"));
    }

    private static void WriteAttributes(StringBuilder builder, List<SdpAttribute> attributes)
    {
        foreach (var attribute in attributes) Line(builder, 'a', attribute.ToString());
    }

    private static void Line(StringBuilder builder, char type, string value) =>
        builder.Append(type).Append('=').Append(value).Append("\r\n");
}

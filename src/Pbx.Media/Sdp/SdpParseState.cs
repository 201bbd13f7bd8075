namespace Pbx.Media.Sdp;

/// <summary>Line-by-line builder behind <see cref="SdpParser"/>; each method returns a problem text or null.</summary>
internal sealed class SdpParseState
{
    private readonly SessionDescription _session = new();
    private MediaDescription? _media;
    private bool _seenVersion;
    private bool _seenOrigin;
    private bool _seenSessionName;

    public string? Accept(char type, string value)
    {
        if (!_seenVersion)
        {
            if (type != 'v') return "the first line must be v=";
            if (value.TrimEnd() != "0") return $"unsupported SDP version '{value}'";
            _seenVersion = true;
            return null;
        }
        return _media is null ? AcceptSessionLine(type, value) : AcceptMediaLine(_media, type, value);
    }

    public string? Complete(out SessionDescription? description)
    {
        description = null;
        if (!_seenVersion) return "missing v= line";
        if (!_seenOrigin) return "missing o= line";
        if (!_seenSessionName) return "missing s= line";
        if (_session.Timings.Count == 0) return "missing t= line";
        for (var i = 0; i < _session.Media.Count; i++)
        {
            var media = _session.Media[i];
            if (!media.IsRejected && media.GetEffectiveConnection(_session) is null)
                return $"m= line {i + 1} has no c= line at media or session level";
        }
        description = _session;
        return null;
    }

    private string? AcceptSessionLine(char type, string value)
    {
        switch (type)
        {
            case 'v':
                return "duplicate v= line";
            case 'o':
                if (_seenOrigin) return "duplicate o= line";
                _seenOrigin = true;
                return ParseOrigin(value);
            case 's':
                if (_seenSessionName) return "duplicate s= line";
                _seenSessionName = true;
                _session.SessionName = value;
                return null;
            case 'i':
                if (_session.Information is not null) return "duplicate session-level i= line";
                _session.Information = value;
                return null;
            case 'u':
                if (_session.Uri is not null) return "duplicate u= line";
                if (!SdpText.IsNonWhitespaceString(value)) return "malformed u= line";
                _session.Uri = value;
                return null;
            case 'e':
                if (value.Length == 0) return "empty e= line";
                _session.Emails.Add(value);
                return null;
            case 'p':
                if (value.Length == 0) return "empty p= line";
                _session.Phones.Add(value);
                return null;
            case 'c':
                if (_session.Connection is not null) return "duplicate session-level c= line";
                var problem = SdpFieldParsers.ParseConnection(value, out var connection);
                _session.Connection = connection;
                return problem;
            case 'b':
                return AddBandwidth(_session.Bandwidths, value);
            case 't':
                return ParseTiming(value);
            case 'r':
                return ParseRepeat(value);
            case 'z':
                if (_session.TimeZones is not null) return "duplicate z= line";
                if (!SdpFieldParsers.IsValidTimeZones(value)) return "malformed z= line";
                _session.TimeZones = value;
                return null;
            case 'k':
                if (_session.EncryptionKey is not null) return "duplicate session-level k= line";
                _session.EncryptionKey = value;
                return null;
            case 'a':
                return AddAttribute(_session.Attributes, value);
            case 'm':
                return StartMedia(value);
            default:
                // RFC 8866 §5: a description with an unknown type letter must be ignored entirely.
                return $"unknown line type '{type}='";
        }
    }

    private string? AcceptMediaLine(MediaDescription media, char type, string value)
    {
        switch (type)
        {
            case 'i':
                if (media.Information is not null) return "duplicate media-level i= line";
                media.Information = value;
                return null;
            case 'c':
                var problem = SdpFieldParsers.ParseConnection(value, out var connection);
                if (connection is not null) media.Connections.Add(connection);
                return problem;
            case 'b':
                return AddBandwidth(media.Bandwidths, value);
            case 'k':
                if (media.EncryptionKey is not null) return "duplicate media-level k= line";
                media.EncryptionKey = value;
                return null;
            case 'a':
                return AddAttribute(media.Attributes, value);
            case 'm':
                return StartMedia(value);
            case 'v' or 'o' or 's' or 'u' or 'e' or 'p' or 't' or 'r' or 'z':
                return $"'{type}=' line is not allowed after the first m= line";
            default:
                return $"unknown line type '{type}='";
        }
    }

    private string? ParseOrigin(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6) return "o= line must have 6 fields";
        if (!SdpText.IsNonWhitespaceString(fields[0])) return "malformed o= username";
        if (!SdpText.IsNonWhitespaceString(fields[1])) return "malformed o= session id";
        if (!SdpText.TryParseUInt64(fields[2], out var version)) return "malformed o= session version";
        var addressProblem = SdpFieldParsers.ValidateAddress(fields[3], fields[4], fields[5], allowMulticastSuffix: false, out _, out _, out _);
        if (addressProblem is not null) return $"o= line: {addressProblem}";
        _session.Origin = new SdpOrigin
        {
            Username = fields[0],
            SessionId = fields[1],
            SessionVersion = version,
            NetworkType = fields[3],
            AddressType = fields[4],
            UnicastAddress = fields[5],
        };
        return null;
    }

    private string? ParseTiming(string value)
    {
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 2 || !SdpText.TryParseUInt64(fields[0], out var start) || !SdpText.TryParseUInt64(fields[1], out var stop))
            return "t= line must be two decimal times";
        _session.Timings.Add(new SdpTiming { StartTime = start, StopTime = stop });
        return null;
    }

    private string? ParseRepeat(string value)
    {
        if (_session.Timings.Count == 0) return "r= line without a preceding t= line";
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || fields.Any(field => !SdpText.IsTypedTime(field, allowNegative: false)))
            return "r= line must be at least three typed times";
        _session.Timings[^1].Repeats.Add(value);
        return null;
    }

    private string? StartMedia(string value)
    {
        if (_session.Media.Count >= SdpConstants.MaxMediaDescriptions)
            return $"more than {SdpConstants.MaxMediaDescriptions} m= lines";
        var problem = SdpFieldParsers.ParseMedia(value, out var media);
        if (problem is not null) return problem;
        _session.Media.Add(media!);
        _media = media;
        return null;
    }

    private static string? AddBandwidth(List<SdpBandwidth> bandwidths, string value)
    {
        value = value.TrimEnd();
        var colon = value.IndexOf(':');
        if (colon <= 0 || !SdpText.IsToken(value.AsSpan(0, colon)) || !SdpText.TryParseUInt64(value.AsSpan(colon + 1), out var amount))
            return "b= line must be <bwtype>:<bandwidth>";
        bandwidths.Add(new SdpBandwidth(value[..colon], amount));
        return null;
    }

    private static string? AddAttribute(List<SdpAttribute> attributes, string value)
    {
        var colon = value.IndexOf(':');
        var name = colon < 0 ? value : value[..colon];
        if (!SdpText.IsToken(name)) return "malformed attribute name";
        attributes.Add(new SdpAttribute(name, colon < 0 ? null : value[(colon + 1)..]));
        return null;
    }
}

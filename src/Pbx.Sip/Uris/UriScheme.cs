namespace Pbx.Sip.Uris;

public enum UriScheme : byte
{
    /// <summary>Any other absolute URI (RFC 3261 absoluteURI); kept opaque.</summary>
    Other,
    Sip,
    Sips,
    Tel,
}

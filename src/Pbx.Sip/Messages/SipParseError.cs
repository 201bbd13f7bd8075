namespace Pbx.Sip.Messages;

/// <summary>Why a message was rejected; each limit has its own kind so the transport can pick the answer.</summary>
public enum SipParseError : byte
{
    None,

    /// <summary>Unparsable start line or garbage: drop silently (no response is possible or useful).</summary>
    Drop,

    /// <summary>Larger than <see cref="SipParseOptions.MaxMessageSize"/>: 513, or drop / close the connection.</summary>
    MessageTooLarge,

    /// <summary>Content-Length beyond the size limit: 413.</summary>
    BodyTooLarge,

    /// <summary>More header lines than <see cref="SipParseOptions.MaxHeaderCount"/>: 513.</summary>
    TooManyHeaders,

    /// <summary>More Via values than <see cref="SipParseOptions.MaxViaCount"/>: 483 (looks like a loop).</summary>
    TooManyVias,

    /// <summary>A URI longer than <see cref="SipParseOptions.MaxUriLength"/>: 414.</summary>
    UriTooLong,

    /// <summary>A SIP version other than 2.0 in a request: 505.</summary>
    UnsupportedVersion,

    /// <summary>Syntax or semantic error: 400 with the reason phrase.</summary>
    Malformed,

    /// <summary>Stream framing only: not enough bytes yet.</summary>
    Incomplete,
}

public static class SipParseErrors
{
    /// <summary>The response code a server sends for a request rejected with this error; 0 means send nothing.</summary>
    public static int SuggestedStatusCode(this SipParseError error) => error switch
    {
        SipParseError.MessageTooLarge => 513,
        SipParseError.BodyTooLarge => 413,
        SipParseError.TooManyHeaders => 513,
        SipParseError.TooManyVias => 483,
        SipParseError.UriTooLong => 414,
        SipParseError.UnsupportedVersion => 505,
        SipParseError.Malformed => 400,
        _ => 0,
    };
}

namespace Pbx.Sip.Messages;

/// <summary>
/// Outcome of parsing. On success <see cref="Message"/> is set. On a semantic error the message may still be set
/// (start line and header lines were framed) so that a stateless error response can copy Via/From/To/Call-ID/CSeq;
/// the caller disposes it in both cases.
/// </summary>
public readonly struct SipParseResult
{
    internal SipParseResult(SipParseError error, string reasonPhrase, SipMessage? message)
    {
        Error = error;
        ReasonPhrase = reasonPhrase;
        Message = message;
    }

    public SipParseError Error { get; }

    /// <summary>Ready for the status line of the error response, e.g. "Bad Request - Missing Call-ID".</summary>
    public string ReasonPhrase { get; }

    public SipMessage? Message { get; }

    public bool IsSuccess => Error == SipParseError.None;

    public int SuggestedStatusCode => Error.SuggestedStatusCode();

    internal static SipParseResult Ok(SipMessage message) => new(SipParseError.None, "", message);

    public override string ToString() => IsSuccess ? "OK" : $"{Error}: {ReasonPhrase}";
}

namespace Pbx.Sip.Auth;

public enum DigestOutcome : byte
{
    /// <summary>Credentials verified.</summary>
    Success,

    /// <summary>No Digest credentials for this realm (or an unknown scheme / algorithm): send a challenge.</summary>
    Missing,

    /// <summary>Right password, expired nonce, or a nonce-count replay: challenge again with stale=true.</summary>
    Stale,

    /// <summary>Credentials do not verify (wrong password, unknown user, forged nonce or opaque): challenge again or 403.</summary>
    Rejected,

    /// <summary>Unparsable credentials or digest-uri not matching the Request-URI: 400.</summary>
    Malformed,
}

public readonly record struct DigestVerification(DigestOutcome Outcome, string? Username, string Detail)
{
    public bool IsSuccess => Outcome == DigestOutcome.Success;

    /// <summary>Whether the next challenge should carry stale=true.</summary>
    public bool Stale => Outcome == DigestOutcome.Stale;
}

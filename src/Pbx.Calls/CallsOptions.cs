namespace Pbx.Calls;

/// <summary>Timers and limits of calls through the B2BUA.</summary>
public sealed class CallsOptions
{
    /// <summary>How long a call may ring before the caller gets 480 (routing features may end it earlier).</summary>
    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>No RTP from either phone for this long, while neither holds the call, ends it. Zero disables.</summary>
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An answered call is hung up after this long. Zero disables.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(4);

    /// <summary>The shortest session interval (RFC 4028 Min-SE) a caller may ask for; shorter requests get 422.</summary>
    public TimeSpan MinSessionExpires { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>A blind transfer whose target does not answer within this time comes back to the transferrer.</summary>
    public TimeSpan TransferRecall { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The country's tones (ringback for a party being transferred).</summary>
    public Pbx.Media.Tones.TonePlan Tones { get; set; } = Pbx.Media.Tones.TonePlan.Germany;

    /// <summary>How long an answered leg that must be confirmed by a keypress (iFMC) waits for the digit.</summary>
    public TimeSpan KeypressConfirmation { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Dialled from another of the user's devices, this takes over the user's connected call (call pull).</summary>
    public string CallPullCode { get; set; } = "*77";

    /// <summary>Dialled (or reached through a DID mapped to it) from a user's cell, starts call-through.</summary>
    public string CallThroughNumber { get; set; } = "*78";

    /// <summary>Call-through waits this long for the next digit of the destination before dialling what it has.</summary>
    public TimeSpan DigitCollection { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Keyed during a call by a user who has a second call (the first on hold), joins all three into a conference.</summary>
    public string ThreeWayCode { get; set; } = "*3";

    /// <summary>How often media timeouts are checked.</summary>
    public TimeSpan MediaCheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}

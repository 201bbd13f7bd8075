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

    /// <summary>RFC 4028 session interval we ask for; a leg that does not refresh within it is ended. Zero disables.</summary>
    public TimeSpan SessionExpires { get; set; } = TimeSpan.FromSeconds(1800);

    /// <summary>The smallest session interval we accept (Min-SE, RFC 4028 §5).</summary>
    public TimeSpan MinSessionExpires { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How often media timeouts are checked.</summary>
    public TimeSpan MediaCheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}

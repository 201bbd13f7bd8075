namespace Pbx.Sip.Messages;

/// <summary>
/// Parser limits, checked before the work they bound (Kestrel/Kamailio style). Out-of-range values throw when set,
/// so a bad configuration fails at start-up, never while parsing.
/// </summary>
public sealed record SipParseOptions
{
    private readonly int _maxMessageSize = 64 * 1024;
    private readonly int _maxHeaderCount = 100;
    private readonly int _maxViaCount = 70;
    private readonly int _maxUriLength = 2048;

    public static SipParseOptions Default { get; } = new();

    /// <summary>Whole message including body; larger input is rejected unread (513 / drop). Default 64 KiB.</summary>
    public int MaxMessageSize { get => _maxMessageSize; init => _maxMessageSize = Check(value, 512, 16 * 1024 * 1024); }

    /// <summary>Header lines (each folded header counts once). Default 100.</summary>
    public int MaxHeaderCount { get => _maxHeaderCount; init => _maxHeaderCount = Check(value, 8, 10_000); }

    /// <summary>Via values across all Via headers; beyond it the request looks like a loop (483). Default 70.</summary>
    public int MaxViaCount { get => _maxViaCount; init => _maxViaCount = Check(value, 1, 1_000); }

    /// <summary>Length of any URI parsed eagerly (Request-URI, From, To, Contact). Default 2048.</summary>
    public int MaxUriLength { get => _maxUriLength; init => _maxUriLength = Check(value, 64, 64 * 1024); }

    private static int Check(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min} and {max}.");
        }
        return value;
    }
}

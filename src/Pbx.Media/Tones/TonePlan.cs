using System.Diagnostics.CodeAnalysis;

namespace Pbx.Media.Tones;

/// <summary>
/// The call-progress tones of one country. Frequencies and cadences follow ITU-T E.180 Supplement 2 ("Various
/// tones used in national networks") and the national specifications it summarises; levels are typical values.
/// </summary>
public sealed class TonePlan
{
    private readonly Dictionary<ToneKind, ToneSpec> _tones;

    public TonePlan(string countryCode, IReadOnlyDictionary<ToneKind, ToneSpec> tones)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(countryCode);
        ArgumentNullException.ThrowIfNull(tones);
        foreach (var kind in Enum.GetValues<ToneKind>())
        {
            if (!tones.ContainsKey(kind)) throw new ArgumentException($"Tone plan {countryCode} lacks {kind}.", nameof(tones));
        }
        CountryCode = countryCode;
        _tones = new Dictionary<ToneKind, ToneSpec>(tones);
    }

    public string CountryCode { get; }

    public ToneSpec this[ToneKind kind] => _tones[kind];

    /// <summary>Germany (Deutsche Telekom 1 TR 110): 425 Hz throughout.</summary>
    public static TonePlan Germany { get; } = new("DE", new Dictionary<ToneKind, ToneSpec>
    {
        [ToneKind.Dial] = ToneSpec.Continuous(425, 0, -10),
        [ToneKind.Ringback] = ToneSpec.Cadenced(425, 0, -10, 1000, 4000),
        [ToneKind.Busy] = ToneSpec.Cadenced(425, 0, -10, 480, 480),
        [ToneKind.Congestion] = ToneSpec.Cadenced(425, 0, -10, 240, 240),
        [ToneKind.CallWaiting] = ToneSpec.Cadenced(425, 0, -13, 200, 200, 200, 5000),
    });

    /// <summary>United States (ANSI T1.401 precise tone plan): dual-frequency tones.</summary>
    public static TonePlan UnitedStates { get; } = new("US", new Dictionary<ToneKind, ToneSpec>
    {
        [ToneKind.Dial] = ToneSpec.Continuous(350, 440, -13),
        [ToneKind.Ringback] = ToneSpec.Cadenced(440, 480, -19, 2000, 4000),
        [ToneKind.Busy] = ToneSpec.Cadenced(480, 620, -24, 500, 500),
        // "Reorder" is the US name for the congestion tone.
        [ToneKind.Congestion] = ToneSpec.Cadenced(480, 620, -24, 250, 250),
        [ToneKind.CallWaiting] = ToneSpec.Cadenced(440, 0, -13, 300, 9700),
    });

    /// <summary>France (France Télécom): 440 Hz throughout.</summary>
    public static TonePlan France { get; } = new("FR", new Dictionary<ToneKind, ToneSpec>
    {
        [ToneKind.Dial] = ToneSpec.Continuous(440, 0, -10),
        [ToneKind.Ringback] = ToneSpec.Cadenced(440, 0, -10, 1500, 3500),
        [ToneKind.Busy] = ToneSpec.Cadenced(440, 0, -10, 500, 500),
        [ToneKind.Congestion] = ToneSpec.Cadenced(440, 0, -10, 250, 250),
        [ToneKind.CallWaiting] = ToneSpec.Cadenced(440, 0, -13, 300, 10000),
    });

    public static IReadOnlyList<TonePlan> BuiltIn { get; } = [Germany, UnitedStates, France];

    /// <summary>Finds a built-in plan by ISO 3166 alpha-2 code, case-insensitively.</summary>
    public static bool TryGet(string countryCode, [NotNullWhen(true)] out TonePlan? plan)
    {
        plan = BuiltIn.FirstOrDefault(candidate => string.Equals(candidate.CountryCode, countryCode, StringComparison.OrdinalIgnoreCase));
        return plan is not null;
    }
}

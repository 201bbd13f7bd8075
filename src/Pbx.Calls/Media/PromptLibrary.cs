using System.Collections.Concurrent;
using Pbx.Media.Audio;
using Pbx.Media.Endpoint;
using Pbx.Media.Tones;

namespace Pbx.Calls.Media;

/// <summary>
/// The system prompts as scripts/prompts/generate.sh renders them: <c>&lt;folder&gt;/&lt;language&gt;/&lt;id&gt;.wav</c>.
/// A prompt that is missing (the script was not run, or not for that language) falls back to the system language,
/// then to a tone signal, so a feature never fails for want of a recording.
/// </summary>
public sealed class PromptLibrary(string folder, string systemLanguage)
{
    private static readonly ToneSpec Signal = new(1000, 0, -12, [150, 150, 150, 1200]);
    // A prompt that plays once must end, or whatever follows it (a conference mix) is never heard.
    private static readonly ToneSpec SignalOnce = new(1000, 0, -12, [150, 150, 150], repeats: false);
    private readonly ConcurrentDictionary<string, WavAudio?> _loaded = new(StringComparer.OrdinalIgnoreCase);

    public string Folder => folder;

    /// <summary>The prompt in <paramref name="language"/> (else the system language), or null when neither exists.</summary>
    public WavAudio? Find(string id, string? language = null)
    {
        foreach (var lang in (string?[])[language, systemLanguage])
        {
            if (string.IsNullOrEmpty(lang)) continue;
            var audio = _loaded.GetOrAdd($"{lang}/{id}", key =>
            {
                var path = Path.Combine(folder, key + ".wav");
                return File.Exists(path) ? WavReader.ReadFile(path).Audio : null;
            });
            if (audio is not null) return audio;
        }
        return null;
    }

    /// <summary>A source playing the prompt (looped when asked), or a beep signal (repeating when looped) when there is no recording.</summary>
    public IAudioSource Play(string id, string? language = null, bool loop = false) =>
        Find(id, language) is { } audio ? new WavAudioSource(audio, loop) : new ToneAudioSource(loop ? Signal : SignalOnce, 8000);
}

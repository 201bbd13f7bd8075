using System.Diagnostics;
using Pbx.Media.Audio;

namespace Pbx.Media.Tests.Prompts;

/// <summary>
/// Runs scripts/prompts/generate.sh (espeak-ng + sox; the script installs them with apt-get when missing) into a
/// temporary folder and checks every file with our own WAV reader.
/// </summary>
public sealed class PromptGenerationTests : IDisposable
{
    private static readonly string[] Languages = ["en", "de", "fr"];
    private static readonly string[] RequiredPrompts =
        ["please-hold", "press-any-key", "enter-conference-pin", "wrong-pin", "first-participant", "conference-ending", "muted", "enter-number"];

    private readonly string _output = Directory.CreateTempSubdirectory("pbx-prompts-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Generated_prompts_and_music_on_hold_are_8_kHz_mono_wavs_of_sensible_length()
    {
        var scriptDirectory = Path.Combine(FindRepositoryRoot(), "scripts", "prompts");
        var (exitCode, log) = await RunAsync("bash", Path.Combine(scriptDirectory, "generate.sh"), _output);
        Assert.True(exitCode == 0, log);

        foreach (var language in Languages)
        {
            var ids = File.ReadAllLines(Path.Combine(scriptDirectory, $"prompts.{language}.txt"))
                .Where(line => line.Length > 0 && !line.StartsWith('#'))
                .Select(line => line.Split('|')[0])
                .ToList();
            Assert.Superset(RequiredPrompts.ToHashSet(), ids.ToHashSet());
            Assert.Equal(ids.Order(), Directory.GetFiles(Path.Combine(_output, language), "*.wav").Select(Path.GetFileNameWithoutExtension).Order());
        }

        var files = Directory.GetFiles(_output, "*.wav", SearchOption.AllDirectories);
        Assert.Contains(Path.Combine(_output, "moh", "default.wav"), files);
        Assert.True(files.Length >= (Languages.Length * RequiredPrompts.Length) + 1);
        foreach (var file in files)
        {
            var result = WavReader.ReadFile(file);
            Assert.True(result.IsSuccess, result.Error);
            Assert.Equal(8000, result.Audio!.SampleRate);
            Assert.Equal(WavEncoding.Pcm16, result.Audio.SourceEncoding);
            Assert.InRange(result.Audio.Duration.TotalSeconds, 0.5, 15);
            // Not silence: speech or music well above the noise floor.
            Assert.True(result.Audio.Samples.Max(sample => Math.Abs((int)sample)) > 3000, $"{file} is nearly silent");
        }
    }

    private static async Task<(int ExitCode, string Log)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, "generate.sh timed out after 5 minutes");
        }
        return (process.ExitCode, await output + await error);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "scripts", "prompts", "generate.sh"))) return directory.FullName;
        }
        throw new InvalidOperationException("scripts/prompts/generate.sh not found above " + AppContext.BaseDirectory);
    }
}

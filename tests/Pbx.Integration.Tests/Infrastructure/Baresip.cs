using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>What a test wants a baresip phone to do besides registering.</summary>
/// <param name="MicrophoneWav">A WAV file (8 kHz mono 16-bit PCM works best) played as the microphone, from its start, once.</param>
/// <param name="RecordReceivedAudio">Record what the phone hears (the decoded far-end audio) into <see cref="Baresip.RecordingFolder"/>.</param>
/// <param name="SipTrace">Print every SIP message sent and received (baresip -s) into <see cref="Baresip.Output"/>.</param>
/// <param name="AutoAnswer">Answer incoming calls by itself; by default the test answers with <see cref="Baresip.AcceptAsync"/>.</param>
internal sealed record BaresipOptions(
    string? MicrophoneWav = null, bool RecordReceivedAudio = false, bool SipTrace = true, bool AutoAnswer = false);

/// <summary>
/// A real softphone (baresip 1.0, Debian 12), headless, in its own config folder, driven through its stdin
/// (the stdio UI and menu modules) and observed through its output lines.
/// </summary>
/// <remarks>
/// Output lines this helper relies on (baresip 1.0.0):
/// <c>"{aor}: Incoming call from: {display} {uri} - (press 'a' to accept)"</c>,
/// <c>"{user}@{host}: Call established: {peer}"</c>,
/// <c>"{aor}: Call with {peer} terminated (duration: N secs)"</c> after an established call,
/// <c>"{uri}: session closed: 404 Not Found"</c> for a call refused with a final response,
/// <c>"{aor}: {0/UDP/v4} 200 OK () [1 binding]"</c> for a registration,
/// <c>"received event: '5' (end=0)"</c> for an RFC 4733 digit received,
/// <c>"audio: send DTMF digit: '5'"</c> for one sent.
/// Received audio is recorded by the sndfile module as <c>dump-{time}-dec.wav</c> (8 kHz mono S16 for G.711);
/// it holds only the frames actually decoded, so gaps without RTP are not in the file.
/// </remarks>
internal sealed partial class Baresip : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _stdin = new(1, 1);

    private Baresip(Process process, string folder, int sipPort)
    {
        _process = process;
        _folder = folder;
        SipPort = sipPort;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The local SIP port (UDP and TCP) this phone listens on at 127.0.0.1.</summary>
    public int SipPort { get; }

    /// <summary>Where received audio is recorded when <see cref="BaresipOptions.RecordReceivedAudio"/> is set.</summary>
    public string RecordingFolder => Path.Combine(_folder, "recordings");

    public string Output { get { lock (_lines) return string.Join('\n', _lines); } }

    /// <summary>How many output lines there are so far: pass it to <see cref="WaitForOutputAsync"/> to look only at what follows.</summary>
    public int OutputMark { get { lock (_lines) return _lines.Count; } }

    /// <param name="transport">udp, tcp or tls.</param>
    public static Baresip Register(DaemonProcess daemon, string user, string password, string transport, BaresipOptions? options = null)
    {
        var port = transport == "tls" ? daemon.SipTlsPort : daemon.SipPort;
        return Start($"<sip:{user}@127.0.0.1:{port};transport={transport}>;auth_pass={password};regint=300", options ?? new BaresipOptions(SipTrace: false));
    }

    /// <summary>A phone with no registrar: it is called at <c>sip:{user}@127.0.0.1:{SipPort}</c> and dials URIs directly.</summary>
    public static Baresip Direct(string user, BaresipOptions? options = null)
    {
        var sipPort = FreePorts.NextPair();
        return Start($"<sip:{user}@127.0.0.1:{sipPort}>;regint=0", options ?? new BaresipOptions(), sipPort);
    }

    private static Baresip Start(string account, BaresipOptions options, int? sipPort = null)
    {
        var port = sipPort ?? FreePorts.NextPair();
        var folder = Directory.CreateTempSubdirectory("baresip-").FullName;
        var recordings = Path.Combine(folder, "recordings");
        Directory.CreateDirectory(recordings);
        // baresip 1.0's aufile module is a source only; as the player, aubridge consumes audio without a sound card.
        // net_interface keeps the media on 127.0.0.1 (otherwise the SDP carries the default route's address).
        var source = options.MicrophoneWav is null ? "aufile,/dev/null" : $"aufile,{options.MicrophoneWav}";
        File.WriteAllText(Path.Combine(folder, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{port}
            net_interface		127.0.0.1
            module_path		/usr/lib/baresip/modules
            module			stdio.so
            module			g711.so
            module			aufile.so
            module			aubridge.so
            {(options.RecordReceivedAudio ? "module\t\t\tsndfile.so" : "")}
            module_app		account.so
            module_app		menu.so
            audio_player		aubridge,sink-{Path.GetFileName(folder)}
            audio_source		{source}
            snd_path		{recordings}
            sip_verify_server	no

            """);
        var answer = options.AutoAnswer ? ";answermode=auto" : "";
        File.WriteAllText(Path.Combine(folder, "accounts"), account + answer + "\n");
        var info = new ProcessStartInfo("baresip")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-f", folder, "-t", "120"]) info.ArgumentList.Add(arg);
        if (options.SipTrace) info.ArgumentList.Add("-s");
        return new Baresip(Process.Start(info)!, folder, port);
    }

    private void Keep(string? line)
    {
        // The stdio UI rewrites a call-status line many times a second; it says nothing a test needs.
        if (line is null || StatusLine().IsMatch(line)) return;
        lock (_lines) _lines.Add(line);
    }

    [GeneratedRegex(@"^\s*\[\d+:\d\d:\d\d\] audio=")]
    private static partial Regex StatusLine();

    /// <summary>The first output line at or after <paramref name="from"/> that contains <paramref name="fragment"/>, if any yet.</summary>
    public string? FindOutput(string fragment, int from = 0) => FindAnyOutput([fragment], from);

    /// <summary>The first output line at or after <paramref name="from"/> that contains any of <paramref name="fragments"/>, if any yet.</summary>
    public string? FindAnyOutput(IReadOnlyList<string> fragments, int from = 0)
    {
        lock (_lines)
            for (var i = from; i < _lines.Count; i++)
                if (fragments.Any(f => _lines[i].Contains(f, StringComparison.Ordinal))) return _lines[i];
        return null;
    }

    /// <summary>Waits until an output line at or after <paramref name="from"/> contains <paramref name="fragment"/>; returns that line.</summary>
    public Task<string> WaitForOutputAsync(string fragment, TimeSpan timeout, int from = 0) => WaitForAnyOutputAsync([fragment], timeout, from);

    /// <summary>Waits until an output line at or after <paramref name="from"/> contains any of <paramref name="fragments"/>; returns that line.</summary>
    public async Task<string> WaitForAnyOutputAsync(IReadOnlyList<string> fragments, TimeSpan timeout, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (FindAnyOutput(fragments, from) is { } line) return line;
            var wanted = string.Join("\" or \"", fragments);
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"baresip did not print \"{wanted}\" within {timeout.TotalSeconds} s; its output:\n{Output}");
            if (_process.HasExited)
                throw new InvalidOperationException($"baresip exited ({_process.ExitCode}) before printing \"{wanted}\"; its output:\n{Output}");
            await Task.Delay(50);
        }
    }

    public Task<string> WaitForIncomingCallAsync(TimeSpan timeout, int from = 0) => WaitForOutputAsync(IncomingCall, timeout, from);
    public Task<string> WaitForCallEstablishedAsync(TimeSpan timeout, int from = 0) => WaitForOutputAsync("Call established:", timeout, from);
    public Task<string> WaitForCallClosedAsync(TimeSpan timeout, int from = 0) => WaitForAnyOutputAsync(CallClosed, timeout, from);

    /// <summary>
    /// The end of a call: "{aor}: Call with {peer} terminated (duration: N secs)" after an established call, or
    /// "{uri}: session closed: 404 Not Found" (the final response, or a reason) for one that failed before or as it ended.
    /// </summary>
    public static readonly IReadOnlyList<string> CallClosed = [" terminated (duration:", ": session closed: "];
    public const string IncomingCall = "Incoming call from:";
    /// <summary>A digit received as an RFC 4733 telephone-event (its start).</summary>
    public Task<string> WaitForDtmfAsync(char digit, TimeSpan timeout, int from = 0) => WaitForOutputAsync($"received event: '{digit}' (end=0)", timeout, from);

    /// <summary>A registration answered 200 by the registrar ("... 200 OK ... [1 binding]").</summary>
    public Task<string> WaitForRegisteredAsync(TimeSpan timeout, int from = 0) => WaitForOutputAsync("[1 binding]", timeout, from);

    /// <summary>Types a long menu command (without its leading slash) and Enter.</summary>
    public Task CommandAsync(string command) => TypeAsync("/" + command + "\n");

    public Task DialAsync(string target) => CommandAsync($"dial {target}");
    public Task AcceptAsync() => CommandAsync("accept");
    public Task HangupAsync() => CommandAsync("hangup");
    /// <summary>re-INVITE with a=sendonly.</summary>
    public Task HoldAsync() => CommandAsync("hold");
    /// <summary>re-INVITE with a=sendrecv.</summary>
    public Task ResumeAsync() => CommandAsync("resume");

    /// <summary>Presses digit keys during a call; baresip sends each as an RFC 4733 telephone-event (payload 101).</summary>
    public async Task SendDtmfAsync(string digits)
    {
        foreach (var digit in digits)
        {
            if (!"0123456789*#ABCD".Contains(digit, StringComparison.Ordinal)) throw new ArgumentException($"not a DTMF digit: {digit}", nameof(digits));
            await TypeAsync(digit.ToString());
            await Task.Delay(400);
        }
    }

    private async Task TypeAsync(string keys)
    {
        await _stdin.WaitAsync();
        try
        {
            await _process.StandardInput.WriteAsync(keys);
            await _process.StandardInput.FlushAsync();
        }
        finally { _stdin.Release(); }
    }

    /// <summary>The recordings of received audio so far, oldest first (one per call; complete once the call has ended).</summary>
    public IReadOnlyList<string> ReceivedAudioFiles() =>
        [.. Directory.GetFiles(RecordingFolder, "*-dec.wav").Order(StringComparer.Ordinal)];

    /// <summary>The recording of what this phone heard in its only call; fails unless there is exactly one.</summary>
    public string ReceivedAudio()
    {
        var files = ReceivedAudioFiles();
        return files.Count == 1 ? files[0]
            : throw new InvalidOperationException($"expected one recording of received audio in {RecordingFolder}, found {files.Count}; baresip output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            ProcessRunner.SendSignal(_process, ProcessRunner.SigTerm);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        _stdin.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

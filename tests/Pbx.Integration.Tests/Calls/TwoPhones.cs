using Pbx.Integration.Tests.Infrastructure;

namespace Pbx.Integration.Tests.Calls;

/// <summary>
/// Two baresip phones, each playing its own tone (A 600 Hz, B 1400 Hz) and recording what it hears, plus the steps
/// of a call between them. Shared by the direct (peer-to-peer) harness check and the calls through the daemon.
/// </summary>
internal sealed class TwoPhones : IAsyncDisposable
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(15);
    private readonly string _folder;

    private TwoPhones(string folder, Baresip a, Baresip b)
    {
        _folder = folder;
        A = a;
        B = b;
    }

    public Baresip A { get; }
    public Baresip B { get; }

    /// <summary>Writes the two tones (long enough for any test here) and starts the phones with <paramref name="start"/>.</summary>
    public static TwoPhones Start(Func<string, BaresipOptions, Baresip> start)
    {
        var folder = Directory.CreateTempSubdirectory("tones-").FullName;
        var toneA = Path.Combine(folder, "a-600.wav");
        var toneB = Path.Combine(folder, "b-1400.wav");
        ToneAudio.WriteTone(toneA, ToneAudio.ToneA, TimeSpan.FromSeconds(60));
        ToneAudio.WriteTone(toneB, ToneAudio.ToneB, TimeSpan.FromSeconds(60));
        var a = start("A", new BaresipOptions(MicrophoneWav: toneA, RecordReceivedAudio: true));
        Baresip b;
        try { b = start("B", new BaresipOptions(MicrophoneWav: toneB, RecordReceivedAudio: true)); }
        catch { _ = a.DisposeAsync().AsTask(); throw; }
        return new TwoPhones(folder, a, b);
    }

    /// <summary>A dials <paramref name="target"/>, B is offered the call and answers it; both see it established.</summary>
    public async Task ConnectAsync(string target)
    {
        var (markA, markB) = (A.OutputMark, B.OutputMark);
        await A.DialAsync(target);
        // A call refused or failed on the way (e.g. 501, 404, 480) ends on A before B ever rings: say so at once.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (B.FindOutput(Baresip.IncomingCall, markB) is null)
        {
            if (A.FindAnyOutput(Baresip.CallClosed, markA) is { } closed)
                throw new InvalidOperationException($"A's call to {target} ended before B was offered it: {closed}\n--- phone A ---\n{A.Output}\n--- phone B ---\n{B.Output}");
            if (clock.Elapsed > Step)
                throw new TimeoutException($"B was not offered A's call to {target} within {Step.TotalSeconds} s\n--- phone A ---\n{A.Output}\n--- phone B ---\n{B.Output}");
            await Task.Delay(50);
        }
        await B.AcceptAsync();
        await B.WaitForCallEstablishedAsync(Step, markB);
        await A.WaitForCallEstablishedAsync(Step, markA);
    }

    /// <summary>A hangs up; both see the call end (which also completes both recordings).</summary>
    public async Task HangUpAsync()
    {
        var (markA, markB) = (A.OutputMark, B.OutputMark);
        await A.HangupAsync();
        // Not just "session closed": the "terminated" line comes once the call and its audio (and the recorder) are gone.
        await A.WaitForOutputAsync(Baresip.CallClosed[0], Step, markA);
        await B.WaitForOutputAsync(Baresip.CallClosed[0], Step, markB);
        await Task.Delay(300); // sndfile closes the files as the call's audio is torn down
    }

    /// <summary>Asserts each phone heard the other's tone and not its own.</summary>
    public void AssertEachHeardTheOther(string context = "")
    {
        AssertHeard(A, "A", heard: ToneAudio.ToneB, own: ToneAudio.ToneA, context);
        AssertHeard(B, "B", heard: ToneAudio.ToneA, own: ToneAudio.ToneB, context);
    }

    public string Report() =>
        $"A heard {ToneAudio.Describe(A.ReceivedAudio(), ToneAudio.ToneB, ToneAudio.ToneA)}\n"
        + $"B heard {ToneAudio.Describe(B.ReceivedAudio(), ToneAudio.ToneA, ToneAudio.ToneB)}";

    private static void AssertHeard(Baresip phone, string name, double heard, double own, string context)
    {
        var recording = phone.ReceivedAudio();
        var shares = ToneAudio.Analyse(recording, heard, own);
        var why = $"phone {name}: {ToneAudio.Describe(recording, heard, own)}\n{context}\n--- phone {name} ---\n{phone.Output}";
        Assert.True(shares[0].Present, $"phone {name} did not clearly hear the other phone's {heard} Hz tone: {why}");
        Assert.True(shares[1].Absent, $"phone {name} heard its own {own} Hz tone back: {why}");
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

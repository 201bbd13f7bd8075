using Pbx.Media.Timing;
using Pbx.Media.Tones;

namespace Pbx.Media.Mixing;

/// <summary>
/// A conference room: every participant hears the sum of all the others but not itself (N-1 mixing), summed in
/// 32-bit integers and soft-clipped back to 16 bits once per listener. The room mixes at 8 kHz while everyone is
/// narrowband (G.711: no resampling at all) and at 16 kHz as soon as one wideband (G.722) participant is in,
/// so wideband talkers keep their bandwidth for each other and narrowband ones are converted with the FIR
/// resamplers. Join and leave may come from any thread (copy-on-write participant array); the mixer's tick reads a
/// snapshot and allocates nothing.
/// </summary>
public sealed class ConferenceRoom
{
    private readonly Lock _gate = new();
    private readonly ConferenceMixerOptions _options;
    private readonly int[] _sum = new int[ConferenceParticipant.MaxFrameSamples];
    private readonly short[] _tone = new short[ConferenceParticipant.MaxFrameSamples];
    private readonly ToneGenerator _joinNarrow, _joinWide, _leaveNarrow, _leaveWide;
    private ConferenceParticipant[] _participants = [];
    private ToneGenerator? _activeTone;
    private int _pendingTone; // 0 none, 1 join, 2 leave
    private bool _closed;

    internal ConferenceRoom(string name, int maxParticipants, ConferenceMixerOptions options)
    {
        Name = name;
        MaxParticipants = maxParticipants;
        _options = options;
        _joinNarrow = new ToneGenerator(options.JoinTone, 8000);
        _joinWide = new ToneGenerator(options.JoinTone, 16000);
        _leaveNarrow = new ToneGenerator(options.LeaveTone, 8000);
        _leaveWide = new ToneGenerator(options.LeaveTone, 16000);
    }

    public string Name { get; }
    public int MaxParticipants { get; }
    public IReadOnlyList<ConferenceParticipant> Participants => Volatile.Read(ref _participants);
    public int ParticipantCount => Volatile.Read(ref _participants).Length;
    /// <summary>8000 while all participants are narrowband, else 16000.</summary>
    public int MixRate { get; private set; } = 8000;

    /// <summary>Adds a port; from the next tick the mixer drives its audio (the port is told via OnMixerAttached).</summary>
    public ConferenceJoinResult Join(IConferenceAudioPort port, out ConferenceParticipant? participant, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        participant = null;
        if (port.SampleRate is not (8000 or 16000)) return ConferenceJoinResult.UnsupportedSampleRate;
        lock (_gate)
        {
            if (_closed) return ConferenceJoinResult.RoomClosed;
            if (_participants.Any(existing => ReferenceEquals(existing.Port, port))) return ConferenceJoinResult.AlreadyInRoom;
            if (_participants.Length >= MaxParticipants) return ConferenceJoinResult.RoomFull;
            participant = new ConferenceParticipant(this, port, label);
            Volatile.Write(ref _participants, [.. _participants, participant]);
        }
        port.OnMixerAttached(true);
        if (_options.PlayJoinLeaveTones) Volatile.Write(ref _pendingTone, 1);
        return ConferenceJoinResult.Joined;
    }

    /// <summary>
    /// Removes a participant and hands its port back. A tick already running may still write one last frame to it.
    /// </summary>
    public bool Leave(ConferenceParticipant participant)
    {
        ArgumentNullException.ThrowIfNull(participant);
        lock (_gate)
        {
            var index = Array.IndexOf(_participants, participant);
            if (index < 0) return false;
            Volatile.Write(ref _participants, [.. _participants.Where((_, i) => i != index)]);
        }
        participant.Port.OnMixerAttached(false);
        if (_options.PlayJoinLeaveTones && !_closed) Volatile.Write(ref _pendingTone, 2);
        return true;
    }

    internal void Close()
    {
        ConferenceParticipant[] remaining;
        lock (_gate)
        {
            _closed = true;
            remaining = _participants;
            Volatile.Write(ref _participants, []);
        }
        foreach (var participant in remaining) participant.Port.OnMixerAttached(false);
    }

    /// <summary>One 20 ms mixing step; runs on the mixer's tick only.</summary>
    internal void Mix(in MediaTick tick)
    {
        var participants = Volatile.Read(ref _participants);
        if (participants.Length == 0) return;
        var wideband = false;
        foreach (var participant in participants) wideband |= participant.IsWideband;
        MixRate = wideband ? 16000 : 8000;
        var samples = MixRate / 50;

        foreach (var participant in participants) participant.ReadInput(tick, samples);

        var sum = _sum.AsSpan(0, samples);
        AddTone(sum, wideband);
        foreach (var participant in participants)
        {
            if (!participant.Contributes) continue;
            var input = participant.Input(samples);
            for (var i = 0; i < sum.Length; i++) sum[i] += input[i];
        }
        foreach (var participant in participants) participant.WriteOutput(tick, sum);
    }

    /// <summary>Starts a pending join/leave tone and writes the current tone frame (or zeros) as the base of the sum.</summary>
    private void AddTone(Span<int> sum, bool wideband)
    {
        var pending = Interlocked.Exchange(ref _pendingTone, 0);
        if (pending != 0)
        {
            _activeTone = pending == 1 ? (wideband ? _joinWide : _joinNarrow) : (wideband ? _leaveWide : _leaveNarrow);
            _activeTone.Reset();
        }
        if (_activeTone is null || _activeTone.IsFinished || _activeTone.SampleRate != sum.Length * 50)
        {
            _activeTone = null;
            sum.Clear();
            return;
        }
        var tone = _tone.AsSpan(0, sum.Length);
        _activeTone.Fill(tone);
        for (var i = 0; i < sum.Length; i++) sum[i] = tone[i];
    }
}

using Pbx.Media.Tones;

namespace Pbx.Media.Mixing;

public sealed class ConferenceMixerOptions
{
    /// <summary>Default participant limit of a room.</summary>
    public int MaxParticipantsPerRoom { get; set; } = 50;

    /// <summary>Played into the room (everyone hears it) when someone joins: one 200 ms beep at 1 kHz.</summary>
    public ToneSpec JoinTone { get; set; } = new(1000, 0, -16, [200], repeats: false);

    /// <summary>Played when someone leaves: two short, lower beeps.</summary>
    public ToneSpec LeaveTone { get; set; } = new(600, 0, -16, [100, 80, 100], repeats: false);

    public bool PlayJoinLeaveTones { get; set; } = true;
}

public enum ConferenceJoinResult
{
    Joined,
    RoomFull,
    AlreadyInRoom,
    RoomClosed,
    /// <summary>The port's sample rate is neither 8000 nor 16000.</summary>
    UnsupportedSampleRate,
}

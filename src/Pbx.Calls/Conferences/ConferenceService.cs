using Microsoft.Extensions.Logging;
using Pbx.Calls.Sip;
using Pbx.Media.Mixing;
using Pbx.Telephony.Conferences;

namespace Pbx.Calls.Conferences;

/// <summary>
/// The conferences the PBX runs: dial-in rooms (a number, then the PIN), scheduled conferences (opened at their start,
/// participants rung by the PBX, ended at their end) and ad-hoc three-way conferences made from two calls. Each
/// participant stays a side of its own <see cref="SipCall"/>; the call hands its media to the mixer through a
/// <see cref="Pbx.Media.Relay.RelayLegAudioPort"/>. Rooms are found here; the calls do the signalling.
/// </summary>
public sealed partial class ConferenceService : ILiveConferences, IConferenceLauncher, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LiveRoom> _live = new(StringComparer.Ordinal);
    private readonly B2buaService _b2bua;
    private readonly IConferenceStore _store;
    private Dictionary<string, ConferenceRoomDefinition> _dialIn = new(StringComparer.Ordinal);
    private int _adHocCount;

    public ConferenceService(B2buaService b2bua, ConferenceMixer mixer, IConferenceStore store, string accessNumber, ILogger logger)
    {
        _b2bua = b2bua;
        Mixer = mixer;
        _store = store;
        AccessNumber = accessNumber;
        Log = logger;
        _store.Changed += OnStoreChanged;
    }

    internal ConferenceMixer Mixer { get; }
    internal ILogger Log { get; }
    internal TimeProvider Time => _b2bua.Time;

    /// <summary>The number participants of scheduled conferences dial before entering the conference's PIN ("" for none).</summary>
    public string AccessNumber { get; }

    /// <summary>Loads the dial-in rooms; until then none is known.</summary>
    public async Task LoadAsync(CancellationToken cancellation)
    {
        var rooms = await _store.ListRoomsAsync(cancellation);
        Volatile.Write(ref _dialIn, rooms.ToDictionary(room => room.Number, StringComparer.Ordinal));
    }

    private void OnStoreChanged() => _ = ReloadAsync();

    private async Task ReloadAsync()
    {
        try
        {
            await LoadAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ReloadFailed(Log, ex);
        }
    }

    /// <summary>What dialling <paramref name="number"/> reaches, if it is a conference number.</summary>
    internal DialIn? FindDialIn(string number)
    {
        if (Volatile.Read(ref _dialIn).TryGetValue(number, out var room)) return new DialIn(room);
        return AccessNumber.Length > 0 && number == AccessNumber ? new DialIn(null) : null;
    }

    /// <summary>The live room of a dial-in room definition, opened on its first caller.</summary>
    internal LiveRoom OpenDialInRoom(ConferenceRoomDefinition definition)
    {
        var key = "room-" + definition.Number;
        lock (_gate)
        {
            if (_live.TryGetValue(key, out var open) && !open.IsClosed) return open;
            var room = new LiveRoom(key, definition.Name, ConferenceKind.DialInRoom,
                Mixer.CreateRoom(key, definition.MaxParticipants > 0 ? definition.MaxParticipants : null), Time.GetUtcNow())
            {
                RoomNumber = definition.Number,
                Pin = definition.Pin,
            };
            _live[key] = room;
            return room;
        }
    }

    /// <summary>The running scheduled conference with this dial-in PIN, if any.</summary>
    internal LiveRoom? FindScheduledByPin(string pin)
    {
        lock (_gate) return _live.Values.FirstOrDefault(room => room.Kind == ConferenceKind.Scheduled && !room.IsClosed && room.Pin == pin);
    }

    internal LiveRoom OpenAdHoc(string initiator)
    {
        var key = "adhoc-" + Interlocked.Increment(ref _adHocCount);
        var room = new LiveRoom(key, $"Three-way call of {initiator}", ConferenceKind.AdHoc, Mixer.CreateRoom(key), Time.GetUtcNow())
        {
            ModeratorLogins = new HashSet<string>([initiator], StringComparer.OrdinalIgnoreCase),
        };
        lock (_gate) _live[key] = room;
        // Both calls may have ended before they got to seat anyone; an empty room must not linger.
        room.Timers.Add(Time.CreateTimer(_ =>
        {
            if (room.Seats.Count == 0) CloseRoom(room, "nobody joined");
        }, null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        ConferenceOpened(Log, key, room.Name);
        return room;
    }

    /// <summary>A seat left (hang-up, kick); the room closes with its last seat unless it is scheduled.</summary>
    internal void Leave(ConferenceSeat seat)
    {
        if (seat.Room.Remove(seat)) CloseRoom(seat.Room, "the last participant left");
    }

    internal void CloseRoom(LiveRoom room, string why)
    {
        IReadOnlyList<ConferenceSeat> remaining;
        lock (_gate)
        {
            if (room.IsClosed) return;
            remaining = room.Close();
            if (_live.TryGetValue(room.Key, out var current) && current == room) _live.Remove(room.Key);
        }
        Mixer.CloseRoom(room.Mixing);
        if (room.ScheduledId is not null) _ = RecordFinishedAsync(room);
        foreach (var seat in remaining) seat.Call.LeaveConference(seat.Side, "the conference ended");
        ConferenceClosed(Log, room.Key, why);
    }

    public IReadOnlyList<LiveConference> Snapshot()
    {
        lock (_gate) return [.. _live.Values.Select(room => room.Describe()).OrderBy(c => c.StartedAt)];
    }

    public ConferenceActionResult SetMuted(string conferenceKey, string participantId, bool muted, string? moderator)
    {
        var found = Find(conferenceKey, participantId, moderator, out var seat);
        if (found != ConferenceActionResult.Done) return found;
        if (seat!.Participant is { } participant && participant.IsMuted != muted)
        {
            participant.IsMuted = muted;
            seat.Call.PlayConferencePrompt(seat.Side, muted ? "muted" : "unmuted");
        }
        return ConferenceActionResult.Done;
    }

    public ConferenceActionResult Kick(string conferenceKey, string participantId, string? moderator)
    {
        var found = Find(conferenceKey, participantId, moderator, out var seat);
        if (found == ConferenceActionResult.Done) seat!.Call.LeaveConference(seat.Side, $"removed from {conferenceKey} by {moderator ?? "the administrator"}");
        return found;
    }

    private ConferenceActionResult Find(string key, string participantId, string? moderator, out ConferenceSeat? seat)
    {
        seat = null;
        LiveRoom? room;
        lock (_gate) _live.TryGetValue(key, out room);
        if (room is null) return ConferenceActionResult.NoSuchConference;
        var seats = room.Seats;
        if (moderator is not null && !room.ModeratorLogins.Contains(moderator)
            && !seats.Any(s => s.IsModerator && string.Equals(s.LoginId, moderator, StringComparison.OrdinalIgnoreCase)))
            return ConferenceActionResult.NotAModerator;
        seat = seats.FirstOrDefault(s => s.Id == participantId);
        return seat is null ? ConferenceActionResult.NoSuchParticipant : ConferenceActionResult.Done;
    }

    public void Dispose()
    {
        _store.Changed -= OnStoreChanged;
        List<LiveRoom> rooms;
        lock (_gate) rooms = [.. _live.Values];
        foreach (var room in rooms) CloseRoom(room, "server shutting down");
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Conference {Key} opened: {Name}")]
    internal static partial void ConferenceOpened(ILogger logger, string key, string name);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Conference {Key} closed: {Why}")]
    private static partial void ConferenceClosed(ILogger logger, string key, string why);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Conference rooms could not be reloaded")]
    private static partial void ReloadFailed(ILogger logger, Exception exception);
}

/// <summary>A dialled conference number: a dial-in room, or (Room null) the access number of scheduled conferences.</summary>
internal sealed record DialIn(ConferenceRoomDefinition? Room);

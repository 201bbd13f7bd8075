using Pbx.Calls.Sip;
using Pbx.Media.Mixing;
using Pbx.Media.Relay;
using Pbx.Telephony.Conferences;

namespace Pbx.Calls.Conferences;

/// <summary>
/// A conference in progress: its mixing room and who is in it. Seats are added and removed from the calls' own
/// queues, so the list is guarded; the mixer only ever sees the <see cref="ConferenceRoom"/>.
/// </summary>
internal sealed class LiveRoom(string key, string name, ConferenceKind kind, ConferenceRoom mixing, DateTimeOffset startedAt)
{
    private readonly Lock _gate = new();
    private readonly List<ConferenceSeat> _seats = [];
    private int _nextSeat;
    private int _everSeated;

    public string Key { get; } = key;
    public string Name { get; } = name;
    public ConferenceKind Kind { get; } = kind;
    public ConferenceRoom Mixing { get; } = mixing;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public long? ScheduledId { get; init; }
    public string? RoomNumber { get; init; }
    /// <summary>Dial-in PIN; null or empty when callers need none.</summary>
    public string? Pin { get; init; }
    /// <summary>Scheduled conferences: who is a moderator by invitation.</summary>
    public IReadOnlySet<string> ModeratorLogins { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    /// <summary>Scheduled conferences stay open until their end even when empty; others close with the last seat.</summary>
    public bool KeepOpenWhenEmpty { get; init; }
    public bool IsClosed { get; private set; }
    /// <summary>Scheduled conferences: the end and the warning before it; disposed when the room closes.</summary>
    public List<ITimer> Timers { get; } = [];
    public int EverSeated => Volatile.Read(ref _everSeated);

    public IReadOnlyList<ConferenceSeat> Seats
    {
        get
        {
            lock (_gate) return [.. _seats];
        }
    }

    /// <summary>Reserves a seat for a caller before it is in the mix (PIN entry, ringing); null when the room closed.</summary>
    public ConferenceSeat? Reserve(SipCall call, RelayLeg side, string number, string? loginId, bool moderator, string state, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (IsClosed) return null;
            var seat = new ConferenceSeat(this, $"p{++_nextSeat}", call, side, number, loginId, moderator || (loginId is not null && ModeratorLogins.Contains(loginId)), now)
            {
                State = state,
            };
            _seats.Add(seat);
            return seat;
        }
    }

    /// <summary>Puts the seat's port into the mix; false when the room is full or closed.</summary>
    public ConferenceJoinResult Seat(ConferenceSeat seat, RelayLegAudioPort port, out bool first)
    {
        lock (_gate)
        {
            first = !_seats.Any(other => other != seat && other.Participant is not null);
            if (IsClosed) return ConferenceJoinResult.RoomClosed;
            var result = Mixing.Join(port, out var participant, seat.Id);
            if (result != ConferenceJoinResult.Joined) return result;
            seat.Participant = participant;
            seat.State = "joined";
            _everSeated++;
            return result;
        }
    }

    /// <summary>Takes the seat out; true when the room is now empty and should close.</summary>
    public bool Remove(ConferenceSeat seat)
    {
        lock (_gate)
        {
            if (!_seats.Remove(seat)) return false;
            if (seat.Participant is { } participant) Mixing.Leave(participant);
            seat.Participant = null;
            return _seats.Count == 0 && !KeepOpenWhenEmpty;
        }
    }

    /// <summary>Marks the room closed and returns who was still in it.</summary>
    public IReadOnlyList<ConferenceSeat> Close()
    {
        lock (_gate)
        {
            IsClosed = true;
            foreach (var timer in Timers) timer.Dispose();
            return [.. _seats];
        }
    }

    public LiveConference Describe() => new(Key, Name, Kind, ScheduledId, RoomNumber, StartedAt,
        [.. Seats.Select(seat => new LiveParticipant(seat.Id, seat.Number, seat.LoginId, seat.IsModerator,
            seat.Participant?.IsMuted ?? false, seat.State, seat.JoinedAt))]);
}

/// <summary>One participant's place in a live conference: which call and side it is, and its mix entry once joined.</summary>
internal sealed class ConferenceSeat(LiveRoom room, string id, SipCall call, RelayLeg side, string number, string? loginId, bool isModerator, DateTimeOffset joinedAt)
{
    public LiveRoom Room { get; } = room;
    public string Id { get; } = id;
    public SipCall Call { get; } = call;
    public RelayLeg Side { get; } = side;
    public string Number { get; } = number;
    public string? LoginId { get; } = loginId;
    public bool IsModerator { get; } = isModerator;
    public DateTimeOffset JoinedAt { get; } = joinedAt;
    public volatile string State = "joined";
    public volatile ConferenceParticipant? Participant;
}

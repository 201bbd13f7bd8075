using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Media.Timing;

namespace Pbx.Media.Mixing;

/// <summary>
/// Mixes all conference rooms of the process on one 20 ms tick of the shared <see cref="MediaTicker"/> (absolute
/// deadlines; the ticker logs late ticks). Rooms are created and closed from any thread; the tick walks a
/// copy-on-write snapshot and allocates nothing. The time each tick takes is measured, so the host can see how
/// close the mixer is to its 20 ms budget.
/// </summary>
public sealed class ConferenceMixer : IMediaTickHandler, IDisposable
{
    private readonly Lock _gate = new();
    private readonly MediaTicker _ticker;
    private readonly ConferenceMixerOptions _options;
    private readonly ILogger _logger;
    private ConferenceRoom[] _rooms = [];
    private long _ticksMixed;
    private long _lastMixTicks;
    private long _maxMixTicks;
    private long _overBudgetTicks;
    private int _disposed;

    /// <summary>Registers with <paramref name="ticker"/>; the host starts the ticker.</summary>
    public ConferenceMixer(MediaTicker ticker, ConferenceMixerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(ticker);
        _ticker = ticker;
        _options = options ?? new ConferenceMixerOptions();
        _logger = logger ?? NullLogger.Instance;
        ticker.Add(this);
    }

    public IReadOnlyList<ConferenceRoom> Rooms => Volatile.Read(ref _rooms);
    public long TicksMixed => Interlocked.Read(ref _ticksMixed);
    /// <summary>Ticks whose mixing alone took longer than the 20 ms period.</summary>
    public long OverBudgetTicks => Interlocked.Read(ref _overBudgetTicks);
    public TimeSpan LastMixDuration => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _lastMixTicks));
    public TimeSpan MaxMixDuration => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxMixTicks));

    public ConferenceRoom CreateRoom(string name, int? maxParticipants = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var limit = maxParticipants ?? _options.MaxParticipantsPerRoom;
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(maxParticipants));
        var room = new ConferenceRoom(name, limit, _options);
        lock (_gate) Volatile.Write(ref _rooms, [.. _rooms, room]);
        MixerLog.RoomCreated(_logger, name, limit);
        return room;
    }

    /// <summary>Removes the room and hands every remaining participant's port back.</summary>
    public bool CloseRoom(ConferenceRoom room)
    {
        ArgumentNullException.ThrowIfNull(room);
        lock (_gate)
        {
            if (Array.IndexOf(_rooms, room) < 0) return false;
            Volatile.Write(ref _rooms, [.. _rooms.Where(existing => existing != room)]);
        }
        room.Close();
        MixerLog.RoomClosed(_logger, room.Name);
        return true;
    }

    public void OnTick(in MediaTick tick)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var room in Volatile.Read(ref _rooms))
        {
            try
            {
                room.Mix(tick);
            }
            catch (Exception exception)
            {
                // A failing port must not silence every other room.
                MixerLog.RoomFailed(_logger, exception, room.Name);
            }
        }
        var elapsed = Stopwatch.GetTimestamp() - started;
        Interlocked.Exchange(ref _lastMixTicks, elapsed);
        if (elapsed > Interlocked.Read(ref _maxMixTicks)) Interlocked.Exchange(ref _maxMixTicks, elapsed);
        if (Stopwatch.GetElapsedTime(0, elapsed) > MediaTicker.Period) Interlocked.Increment(ref _overBudgetTicks);
        Interlocked.Increment(ref _ticksMixed);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Remove(this);
        ConferenceRoom[] rooms;
        lock (_gate)
        {
            rooms = _rooms;
            Volatile.Write(ref _rooms, []);
        }
        foreach (var room in rooms) room.Close();
    }
}

internal static partial class MixerLog
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "Conference room {Room} created (limit {Limit})")]
    public static partial void RoomCreated(ILogger logger, string room, int limit);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Conference room {Room} closed")]
    public static partial void RoomClosed(ILogger logger, string room);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Error, Message = "Mixing conference room {Room} failed")]
    public static partial void RoomFailed(ILogger logger, Exception exception, string room);
}

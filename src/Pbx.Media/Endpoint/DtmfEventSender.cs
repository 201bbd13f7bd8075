using Pbx.Media.Rtp;

namespace Pbx.Media.Endpoint;

internal enum DtmfSendStep
{
    /// <summary>No event in progress: send audio.</summary>
    Audio,
    /// <summary>Send the event packet <c>Repeat</c> times instead of audio.</summary>
    Event,
}

/// <summary>
/// Sends queued digits as RFC 4733 events, one packet per tick in place of audio: the first with the marker bit,
/// all with the event's start timestamp and a growing duration, the last one flagged "end" and sent three times
/// (§2.5.1.4). Two ticks of audio separate consecutive digits. Digits are queued from any thread (short lock);
/// the tick thread dequeues.
/// </summary>
internal sealed class DtmfEventSender
{
    public const int QueueCapacity = 64;
    private const int EndRepeats = 3;
    private const int GapTicks = 2;
    private const byte Volume = 10;
    private readonly Lock _gate = new();
    private readonly byte[] _codes = new byte[QueueCapacity];
    private readonly int[] _ticks = new int[QueueCapacity];
    private readonly int _unitsPerTick;
    private int _head;
    private int _count;
    private bool _sending;
    private byte _code;
    private int _totalTicks;
    private int _elapsedTicks;
    private uint _eventTimestamp;
    private int _gapLeft;

    public DtmfEventSender(int unitsPerTick) => _unitsPerTick = unitsPerTick;

    public long EventsSent { get; private set; }

    /// <summary>Queues digits; false (nothing queued) when one is not a DTMF key or the queue lacks room.</summary>
    public bool Enqueue(ReadOnlySpan<char> digits, TimeSpan duration)
    {
        // At least 40 ms so in-band converters downstream see a valid digit; at most what the 16-bit duration holds.
        var ticks = Math.Clamp((int)Math.Ceiling(duration.TotalMilliseconds / 20), 2, ushort.MaxValue / _unitsPerTick);
        Span<byte> codes = stackalloc byte[digits.Length];
        for (var i = 0; i < digits.Length; i++)
        {
            if (!TelephoneEvent.TryGetEventCode(digits[i], out codes[i])) return false;
        }
        lock (_gate)
        {
            if (_count + digits.Length > QueueCapacity) return false;
            foreach (var code in codes)
            {
                var index = (_head + _count) % QueueCapacity;
                _codes[index] = code;
                _ticks[index] = ticks;
                _count++;
            }
        }
        return true;
    }

    /// <summary>Decides what this tick sends. <paramref name="tickTimestamp"/> is the audio timestamp of the tick.</summary>
    public DtmfSendStep Next(uint tickTimestamp, out TelephoneEvent telephoneEvent, out uint eventTimestamp, out bool marker, out int repeat)
    {
        telephoneEvent = default;
        eventTimestamp = 0;
        marker = false;
        repeat = 0;
        if (!_sending)
        {
            if (_gapLeft > 0)
            {
                _gapLeft--;
                return DtmfSendStep.Audio;
            }
            lock (_gate)
            {
                if (_count == 0) return DtmfSendStep.Audio;
                _code = _codes[_head];
                _totalTicks = _ticks[_head];
                _head = (_head + 1) % QueueCapacity;
                _count--;
            }
            _sending = true;
            _elapsedTicks = 0;
            _eventTimestamp = tickTimestamp;
            marker = true;
        }
        _elapsedTicks++;
        var isEnd = _elapsedTicks >= _totalTicks;
        telephoneEvent = new TelephoneEvent(_code, isEnd, Volume, (ushort)(_elapsedTicks * _unitsPerTick));
        eventTimestamp = _eventTimestamp;
        repeat = isEnd ? EndRepeats : 1;
        if (isEnd)
        {
            _sending = false;
            _gapLeft = GapTicks;
            EventsSent++;
        }
        return DtmfSendStep.Event;
    }
}

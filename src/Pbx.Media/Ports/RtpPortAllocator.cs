using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Ports;

/// <summary>
/// Hands out even/odd UDP port pairs from a range, thread-safe. A pair stays reserved until its lease is disposed.
/// The search starts after the last pair handed out, so a just-released pair is not reused at once and late
/// packets of an ended call do not reach the next one. Pairs the OS refuses to bind are skipped.
/// </summary>
public sealed class RtpPortAllocator
{
    private readonly Lock _gate = new();
    private readonly bool[] _inUse;
    private readonly int _firstRtpPort;
    private readonly IPAddress _bindAddress;
    private int _cursor;
    private int _inUseCount;

    public RtpPortAllocator(RtpPortAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _firstRtpPort = options.MinPort + (options.MinPort & 1);
        _inUse = new bool[((options.MaxPort - _firstRtpPort + 1) / 2)];
        _bindAddress = options.BindAddress;
    }

    /// <summary>Number of pairs in the range.</summary>
    public int Capacity => _inUse.Length;

    public int InUseCount
    {
        get
        {
            lock (_gate) return _inUseCount;
        }
    }

    /// <summary>Reserves and binds the next free pair. Never throws for exhaustion or refused ports: see the status.</summary>
    public RtpPortAllocation Allocate()
    {
        var refused = 0;
        SocketError lastError = SocketError.Success;
        // Each pass reserves a different free pair (the cursor moves on), so Capacity passes cover the whole range.
        for (var attempt = 0; attempt < _inUse.Length; attempt++)
        {
            var pairIndex = ReserveNextFreePair();
            if (pairIndex < 0) break;
            var rtpPort = _firstRtpPort + (2 * pairIndex);
            if (TryBindPair(rtpPort, out var rtpSocket, out var rtcpSocket, out var error))
            {
                return new RtpPortAllocation(RtpPortAllocationStatus.Allocated,
                    new RtpPortLease(this, pairIndex, _bindAddress, rtpPort, rtpSocket, rtcpSocket), null);
            }
            refused++;
            lastError = error;
            Release(pairIndex);
        }
        return refused == 0
            ? new RtpPortAllocation(RtpPortAllocationStatus.Exhausted, null,
                $"all {_inUse.Length} RTP port pairs from {_firstRtpPort} are in use")
            : new RtpPortAllocation(RtpPortAllocationStatus.NoBindablePair, null,
                $"{refused} free RTP port pairs could not be bound (last error {lastError}); {InUseCount} of {_inUse.Length} in use by calls");
    }

    internal void Release(int pairIndex)
    {
        lock (_gate)
        {
            if (!_inUse[pairIndex]) return;
            _inUse[pairIndex] = false;
            _inUseCount--;
        }
    }

    private int ReserveNextFreePair()
    {
        lock (_gate)
        {
            for (var scanned = 0; scanned < _inUse.Length; scanned++)
            {
                var index = _cursor;
                _cursor = (_cursor + 1) % _inUse.Length;
                if (_inUse[index]) continue;
                _inUse[index] = true;
                _inUseCount++;
                return index;
            }
            return -1;
        }
    }

    private bool TryBindPair(int rtpPort, out Socket rtpSocket, out Socket rtcpSocket, out SocketError error)
    {
        rtpSocket = null!;
        rtcpSocket = null!;
        Socket? rtp = null;
        Socket? rtcp = null;
        try
        {
            rtp = Bind(rtpPort);
            rtcp = Bind(rtpPort + 1);
            rtpSocket = rtp;
            rtcpSocket = rtcp;
            error = SocketError.Success;
            return true;
        }
        catch (SocketException exception)
        {
            rtp?.Dispose();
            rtcp?.Dispose();
            error = exception.SocketErrorCode;
            return false;
        }
    }

    private Socket Bind(int port)
    {
        var socket = new Socket(_bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_bindAddress.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(new IPEndPoint(_bindAddress, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Ports;

/// <summary>
/// An RTP/RTCP port pair with its two sockets already bound, so nobody can take the ports between allocation and
/// use. Disposing closes the sockets and returns the pair to the allocator; it is safe to call more than once.
/// </summary>
public sealed class RtpPortLease : IDisposable
{
    private readonly RtpPortAllocator _owner;
    private readonly int _pairIndex;
    private int _disposed;

    internal RtpPortLease(RtpPortAllocator owner, int pairIndex, IPAddress address, int rtpPort, Socket rtpSocket, Socket rtcpSocket)
    {
        _owner = owner;
        _pairIndex = pairIndex;
        Address = address;
        RtpPort = rtpPort;
        RtpSocket = rtpSocket;
        RtcpSocket = rtcpSocket;
    }

    public IPAddress Address { get; }
    public int RtpPort { get; }
    public int RtcpPort => RtpPort + 1;
    public Socket RtpSocket { get; }
    public Socket RtcpSocket { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        RtpSocket.Dispose();
        RtcpSocket.Dispose();
        _owner.Release(_pairIndex);
    }
}

using System.Net;
using System.Net.Sockets;
using Pbx.Media.Ports;

namespace Pbx.Media.Relay;

/// <summary>Sockets and latching state of one leg: what the phone on that leg sends to and receives from.</summary>
internal sealed class RelayLegState
{
    private IPEndPoint? _signalledRtp;
    private IPEndPoint? _signalledRtcp;

    public RelayLegState(RelayLeg leg, RtpPortLease lease)
    {
        Leg = leg;
        Lease = lease;
        RtpLatch = new LatchingEndpoint(lease.RtpSocket.AddressFamily);
        RtcpLatch = new LatchingEndpoint(lease.RtcpSocket.AddressFamily);
    }

    public RelayLeg Leg { get; }
    public RtpPortLease Lease { get; }
    public LatchingEndpoint RtpLatch { get; }
    public LatchingEndpoint RtcpLatch { get; }

    public Socket GetSocket(RelayStreamKind kind) => kind == RelayStreamKind.Rtp ? Lease.RtpSocket : Lease.RtcpSocket;

    public LatchingEndpoint GetLatch(RelayStreamKind kind) => kind == RelayStreamKind.Rtp ? RtpLatch : RtcpLatch;

    public void SetSignalled(IPEndPoint? rtp, IPEndPoint? rtcp)
    {
        Volatile.Write(ref _signalledRtp, rtp);
        Volatile.Write(ref _signalledRtcp, rtcp);
        RtpLatch.SetSignalled(rtp);
        RtcpLatch.SetSignalled(rtcp);
    }

    public void Unlock()
    {
        RtpLatch.Unlock(Volatile.Read(ref _signalledRtp));
        RtcpLatch.Unlock(Volatile.Read(ref _signalledRtcp));
    }
}

using System.Net;

namespace Pbx.Media.Negotiation;

/// <summary>Where our relay receives one stream: what we advertise in c=, m= and a=rtcp.</summary>
public sealed record LocalMediaEndpoint(IPAddress Address, int RtpPort, int RtcpPort)
{
    public LocalMediaEndpoint(IPAddress address, int rtpPort) : this(address, rtpPort, rtpPort + 1)
    {
    }
}

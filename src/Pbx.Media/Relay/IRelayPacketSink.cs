using Pbx.Media.Rtp;

namespace Pbx.Media.Relay;

/// <summary>
/// Receives the RTP packets a relay leg accepted (valid, from the latched source), on the relay's receive thread,
/// before forwarding decides anything. Implementations copy what they need and return at once; no allocation.
/// </summary>
public interface IRelayPacketSink
{
    void OnRtp(in RtpHeader header, ReadOnlySpan<byte> packet);
}

using System.Net;

namespace Pbx.Sip.Transports.InMemory;

/// <summary>One endpoint of an <see cref="InMemorySipNetwork"/>; reliable kinds behave like one connection per peer.</summary>
public sealed class InMemorySipTransport : ISipTransport
{
    private readonly InMemorySipNetwork _network;
    private readonly ISipReceiver _receiver;

    internal InMemorySipTransport(InMemorySipNetwork network, IPEndPoint local, SipTransportKind kind, ISipReceiver receiver)
    {
        _network = network;
        LocalEndPoint = local;
        Kind = kind;
        _receiver = receiver;
    }

    public IPEndPoint LocalEndPoint { get; }

    public SipTransportKind Kind { get; }

    public bool IsReliable => Kind != SipTransportKind.Udp;

    public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        _network.Enqueue(new InMemoryPacket(Kind, LocalEndPoint, destination.Remote, message.ToArray()));
        return ValueTask.CompletedTask;
    }

    internal void Receive(InMemoryPacket packet)
    {
        long connection = IsReliable ? ConnectionIdFor(packet.From) : 0;
        _receiver.OnMessageReceived(packet.Data, new SipFlow(Kind, packet.From, connection));
    }

    private static long ConnectionIdFor(IPEndPoint remote) => remote.GetHashCode() & 0x7FFFFFFF | 1;
}

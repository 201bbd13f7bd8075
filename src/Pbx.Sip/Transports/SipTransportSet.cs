namespace Pbx.Sip.Transports;

/// <summary>
/// Routes each send to the transport of the flow's kind (UDP, TCP, TLS, WS, WSS), so one transaction layer serves them all.
/// Transports need the layer as their receiver and the layer needs a sender: create the set first, give it to the
/// layer, then <see cref="Add"/> the transports built with the layer as receiver.
/// </summary>
public sealed class SipTransportSet : ISipSender
{
    private readonly ISipTransport?[] _byKind = new ISipTransport?[Enum.GetValues<SipTransportKind>().Length];

    public SipTransportSet(params ISipTransport[] transports)
    {
        foreach (var t in transports) Add(t);
    }

    public void Add(ISipTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (Interlocked.CompareExchange(ref _byKind[(int)transport.Kind], transport, null) is not null)
        {
            throw new ArgumentException($"A {transport.Kind} transport is already in the set.", nameof(transport));
        }
    }

    public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var transport = Volatile.Read(ref _byKind[(int)destination.Transport]);
        return transport is null
            ? ValueTask.FromException(new InvalidOperationException($"No {destination.Transport} transport is configured."))
            : transport.SendAsync(destination, message, cancellationToken);
    }
}

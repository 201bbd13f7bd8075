using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Relay;

internal enum LatchDecision
{
    Accepted,
    Latched,
    UnexpectedSource,
}

/// <summary>
/// Symmetric RTP for one socket of one leg: where we send to that leg, and the source we locked onto.
/// Until a packet arrives the destination is the address signalled in SDP; the first valid packet's source then
/// becomes both the destination and the only accepted source, until <see cref="Unlock"/>.
/// Addresses are immutable once published, so readers on other threads never see a half-written one.
/// </summary>
internal sealed class LatchingEndpoint(AddressFamily socketFamily)
{
    private SocketAddress? _destination;
    private SocketAddress? _lockedSource;

    public SocketAddress? Destination => Volatile.Read(ref _destination);
    public SocketAddress? LockedSource => Volatile.Read(ref _lockedSource);

    /// <summary>Sets the SDP-signalled destination; it takes effect only while nothing is latched.</summary>
    public void SetSignalled(IPEndPoint? endpoint)
    {
        var address = endpoint is null ? null : ToSocketAddress(endpoint);
        if (LockedSource is null) Volatile.Write(ref _destination, address);
    }

    /// <summary>Called by this socket's receive loop only, so latching itself needs no lock.</summary>
    public LatchDecision Check(SocketAddress source)
    {
        var locked = Volatile.Read(ref _lockedSource);
        if (locked is not null) return locked.Equals(source) ? LatchDecision.Accepted : LatchDecision.UnexpectedSource;
        var copy = Copy(source);
        Volatile.Write(ref _destination, copy);
        Volatile.Write(ref _lockedSource, copy);
        return LatchDecision.Latched;
    }

    /// <summary>Lets the next valid packet latch again (after a re-INVITE); the current destination stays until then.</summary>
    public void Unlock(IPEndPoint? signalled)
    {
        Volatile.Write(ref _lockedSource, null);
        if (signalled is not null) Volatile.Write(ref _destination, ToSocketAddress(signalled));
    }

    /// <summary>Sets the destination only when nothing is latched or signalled yet, e.g. RTCP derived from the RTP source.</summary>
    public void SetDestinationIfUnknown(IPEndPoint endpoint)
    {
        if (LockedSource is null) Interlocked.CompareExchange(ref _destination, ToSocketAddress(endpoint), null);
    }

    public static IPEndPoint? ToEndPoint(SocketAddress? address) =>
        address is null ? null : (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);

    private SocketAddress ToSocketAddress(IPEndPoint endpoint)
    {
        // A dual-stack socket can only send to IPv4-mapped IPv6 addresses.
        if (socketFamily == AddressFamily.InterNetworkV6 && endpoint.AddressFamily == AddressFamily.InterNetwork)
            endpoint = new IPEndPoint(endpoint.Address.MapToIPv6(), endpoint.Port);
        return endpoint.Serialize();
    }

    private static SocketAddress Copy(SocketAddress source)
    {
        var copy = new SocketAddress(source.Family, source.Size);
        source.Buffer.Span[..source.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }
}

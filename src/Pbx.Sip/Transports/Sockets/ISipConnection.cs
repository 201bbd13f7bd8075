using System.Net;

namespace Pbx.Sip.Transports.Sockets;

/// <summary>One live connection a <see cref="ConnectionListener"/> tracks: reachable by id, swept when idle.</summary>
internal interface ISipConnection
{
    long Id { get; }

    IPEndPoint Remote { get; }

    TimeSpan Idle { get; }

    bool IsClosed { get; }

    /// <summary>Writes one whole SIP message (or keep-alive); writes are serialized per connection.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Stops the connection; its run loop then releases everything.</summary>
    void Close(string reason);
}

using System.Security.Cryptography.X509Certificates;

namespace Pbx.Xmpp.Server;

/// <summary>Configuration of the client-to-server listener.</summary>
public sealed class XmppServerOptions
{
    /// <summary>The XMPP domain served, e.g. "pbx.example.com"; users are login@Domain.</summary>
    public required string Domain { get; init; }

    /// <summary>Server certificate with private key; without it neither STARTTLS nor direct TLS is offered.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>When true (default), nothing but STARTTLS is accepted until the stream is encrypted.</summary>
    public bool RequireTls { get; init; } = true;

    /// <summary>Largest accepted top-level element (stanza) in bytes; a larger one ends the stream with policy-violation.</summary>
    public long MaxStanzaBytes { get; init; } = 256 * 1024;

    /// <summary>A connection that sends nothing (not even whitespace keepalives) for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed to get from TCP accept to a bound resource.</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxResourcesPerUser { get; init; } = 10;

    /// <summary>How long a stream-managed session (XEP-0198) waits for its client to resume after the connection drops.</summary>
    public TimeSpan StreamResumptionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Stanzas kept for retransmission per stream-managed session before it is closed.</summary>
    public int MaxUnackedStanzas { get; init; } = 1_000;

    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Simultaneous connections from one IP address (a PBX site behind NAT may need more).</summary>
    public int MaxConnectionsPerAddress { get; init; } = 100;

    /// <summary>
    /// Stanzas queued for a slow reader before its connection is dropped. Must exceed the burst a
    /// login causes (one presence per online contact resource, plus offline messages).
    /// </summary>
    public int SendQueueCapacity { get; init; } = 10_000;

    public int AuthFailureLimit { get; init; } = 5;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan AuthBanDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Networks whose failed logins never lead to a ban. A whole office behind one NAT address
    /// would otherwise be locked out by one phone with a stale password.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> AuthBanExemptNetworks { get; init; } = [];

    /// <summary>
    /// Subdomain of the multi-user chat service (XEP-0045), e.g. "conference" for conference.Domain;
    /// null disables group chat.
    /// </summary>
    public string? MucSubdomain { get; init; } = "conference";

    /// <summary>Rooms that always exist, even when empty (e.g. one per PBX department).</summary>
    public IReadOnlyList<MucRoomDefinition> PersistentRooms { get; init; } = [];

    /// <summary>Messages replayed to a user joining a room.</summary>
    public int MucHistorySize { get; init; } = 20;

    public int MucMaxRooms { get; init; } = 1_000;

    public int MucMaxOccupantsPerRoom { get; init; } = 200;

    /// <summary>How long a user's shared roster from the directory is reused; zero asks the directory every time.</summary>
    public TimeSpan SharedRosterCacheDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound of archive results per MAM page, whatever the client asks for.</summary>
    public int MaxArchivePageSize { get; init; } = 250;
}

/// <summary>A room configured by the host. <see cref="Name"/> is the room's localpart.</summary>
public sealed record MucRoomDefinition(string Name, string? Title = null, string? Subject = null);

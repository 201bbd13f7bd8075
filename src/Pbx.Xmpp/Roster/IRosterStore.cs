namespace Pbx.Xmpp.Roster;

/// <summary>
/// Persistence of personal roster items and of inbound subscription requests still awaiting the
/// user's answer (RFC 6121 §3.1.3 keeps those outside the roster). Implemented by the host.
/// Users are JID localparts; contacts are bare JID strings.
/// </summary>
public interface IRosterStore
{
    ValueTask<IReadOnlyList<RosterItem>> GetItemsAsync(string user, CancellationToken cancellationToken);

    ValueTask<RosterItem?> GetItemAsync(string user, string contact, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the item for its contact.</summary>
    ValueTask SetItemAsync(string user, RosterItem item, CancellationToken cancellationToken);

    ValueTask RemoveItemAsync(string user, string contact, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<string>> GetPendingInboundAsync(string user, CancellationToken cancellationToken);

    ValueTask AddPendingInboundAsync(string user, string contact, CancellationToken cancellationToken);

    ValueTask<bool> RemovePendingInboundAsync(string user, string contact, CancellationToken cancellationToken);
}

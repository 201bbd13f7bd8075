using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Routing;

namespace Pbx.Storage.Routing;

/// <summary>A feature's stored settings and when they were last written.</summary>
public sealed record StoredRoutingSettings(RoutingFeature Feature, object Settings, DateTimeOffset UpdatedAt);

/// <summary>
/// Routing settings in the database. Every call consults several features, so feature settings are answered from
/// memory: the whole table is loaded on first use (it holds a few rows per party) and each write updates memory
/// after its commit. That is coherent only because this instance is the table's one writer; the delete triggers
/// are followed by <see cref="Forget"/>. Owners and groups are read from the directory tables on each call, which
/// changes them without telling us.
/// </summary>
public sealed class SqliteRoutingSettings(SqliteDatabase database, TimeProvider time) : IRoutingSettings
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile ConcurrentDictionary<Key, StoredRoutingSettings>? _cache;

    // Login IDs and group names are ASCII and case-insensitive (COLLATE NOCASE), so the key folds case the same way.
    private readonly record struct Key(string Kind, string PartyId, string Feature)
    {
        public static Key Of(RoutingParty party, RoutingFeature feature) => new(KindOf(party), IdOf(party).ToLowerInvariant(), feature.Name);
    }

    public async ValueTask<RoutingParty?> FindOwnerAsync(string number, CancellationToken cancellation) =>
        await database.RunAsync(async connection =>
        {
            var owner = await connection.QuerySingleOrDefaultAsync<(string? LoginId, string? GroupName)>("""
                SELECT u.login_id, g.name FROM numbers n
                LEFT JOIN users u ON u.id = n.user_id LEFT JOIN groups g ON g.id = n.group_id
                WHERE n.number = @number
                """, new { number });
            return owner switch
            {
                { LoginId: { } login } => new RoutingParty.User(login),
                { GroupName: { } group } => (RoutingParty?)new RoutingParty.Group(group),
                _ => null,
            };
        }, cancellation);

    public async ValueTask<Group?> GetGroupAsync(string name, CancellationToken cancellation) =>
        await database.RunAsync(async connection =>
        {
            var group = await connection.QuerySingleOrDefaultAsync<(long Id, string Name, string RingMode)>(
                "SELECT id, name, ring_mode FROM groups WHERE name = @name", new { name });
            if (group.Name is null) return null;
            var members = await connection.QueryAsync<string>("""
                SELECT u.login_id FROM group_members m JOIN users u ON u.id = m.user_id
                WHERE m.group_id = @Id ORDER BY m.position
                """, new { group.Id });
            return new Group(group.Id, group.Name, Enum.Parse<RingMode>(group.RingMode), members.ToList());
        }, cancellation);

    public ValueTask<T?> GetAsync<T>(RoutingParty party, CancellationToken cancellation) where T : class
    {
        if (RoutingFeatures.ForType(typeof(T)) is not { } feature) return ValueTask.FromResult<T?>(null);
        if (_cache is { } cache) return ValueTask.FromResult(cache.GetValueOrDefault(Key.Of(party, feature))?.Settings as T);
        return Slow();

        async ValueTask<T?> Slow() => (await CacheAsync(cancellation)).GetValueOrDefault(Key.Of(party, feature))?.Settings as T;
    }

    /// <summary>Every stored feature of the party; features without a row are absent.</summary>
    public async Task<IReadOnlyList<StoredRoutingSettings>> ListAsync(RoutingParty party, CancellationToken ct = default)
    {
        var cache = await CacheAsync(ct);
        return [.. RoutingFeatures.For(party).Select(f => cache.GetValueOrDefault(Key.Of(party, f))).OfType<StoredRoutingSettings>()];
    }

    public async Task<StoredRoutingSettings?> FindAsync(RoutingParty party, RoutingFeature feature, CancellationToken ct = default) =>
        (await CacheAsync(ct)).GetValueOrDefault(Key.Of(party, feature));

    /// <summary>Raised after a party's settings were written (presence shows DND and always-redirection flags).</summary>
    public event Action<RoutingParty>? Changed;

    /// <summary>Stores the feature's settings, replacing earlier ones.</summary>
    /// <exception cref="ArgumentException">The settings do not belong to the feature, the feature not to the party, or they break a rule of <see cref="RoutingSettingsValidation"/>.</exception>
    public async Task<StoredRoutingSettings> SetAsync(RoutingParty party, RoutingFeature feature, object settings, CancellationToken ct = default)
    {
        if (settings.GetType() != feature.SettingsType)
            throw new ArgumentException($"{feature.Name} takes {feature.SettingsType.Name}, not {settings.GetType().Name}", nameof(settings));
        if (!feature.AppliesToParty(party)) throw new ArgumentException($"{feature.Name} is not a feature of a {KindOf(party)}", nameof(feature));
        if (RoutingSettingsValidation.Validate(settings) is { Count: > 0 } errors)
            throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")), nameof(settings));

        var stored = new StoredRoutingSettings(feature, settings, time.GetUtcNow());
        await WriteAsync(party, feature, stored, ct);
        Changed?.Invoke(party);
        return stored;
    }

    /// <returns>False when nothing was stored for the feature.</returns>
    public async Task<bool> DeleteAsync(RoutingParty party, RoutingFeature feature, CancellationToken ct = default)
    {
        var deleted = await WriteAsync(party, feature, null, ct);
        if (deleted) Changed?.Invoke(party);
        return deleted;
    }

    /// <summary>Drops the party's settings from memory after the database dropped them with the user or group.</summary>
    public void Forget(RoutingParty party)
    {
        if (_cache is not { } cache) return;
        foreach (var feature in RoutingFeatures.All) cache.TryRemove(Key.Of(party, feature), out _);
    }

    private async Task<bool> WriteAsync(RoutingParty party, RoutingFeature feature, StoredRoutingSettings? stored, CancellationToken ct)
    {
        // One writer at a time, so memory is updated in the order the rows were committed.
        var cache = await CacheAsync(ct);
        await _writeLock.WaitAsync(ct);
        try
        {
            var key = Key.Of(party, feature);
            var parameters = new
            {
                kind = key.Kind, id = IdOf(party), feature = feature.Name,
                json = stored is null ? null : RoutingSettingsJson.Serialize(feature, stored.Settings),
                at = stored is null ? null : DapperSetup.Format(stored.UpdatedAt),
            };
            var changed = await database.InTransactionAsync((connection, tx) => connection.ExecuteAsync(stored is null
                ? "DELETE FROM routing_settings WHERE party_kind = @kind AND party_id = @id AND feature = @feature"
                : """
                  INSERT INTO routing_settings (party_kind, party_id, feature, settings_json, updated_at)
                  VALUES (@kind, @id, @feature, @json, @at)
                  ON CONFLICT (party_kind, party_id, feature) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at
                  """, parameters, tx), CancellationToken.None);
            if (stored is null) cache.TryRemove(key, out _);
            else cache[key] = stored;
            return changed > 0;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask<ConcurrentDictionary<Key, StoredRoutingSettings>> CacheAsync(CancellationToken ct)
    {
        if (_cache is { } ready) return ready;
        await _loadLock.WaitAsync(ct);
        try
        {
            return _cache ??= await LoadAsync(ct);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private async Task<ConcurrentDictionary<Key, StoredRoutingSettings>> LoadAsync(CancellationToken ct)
    {
        var rows = await database.RunAsync(connection => connection.QueryAsync<(string PartyKind, string PartyId, string Feature, string SettingsJson, string UpdatedAt)>(
            "SELECT party_kind, party_id, feature, settings_json, updated_at FROM routing_settings"), ct);
        var cache = new ConcurrentDictionary<Key, StoredRoutingSettings>();
        foreach (var row in rows)
        {
            // A feature this build does not know was written by a newer one; leave its row alone.
            if (RoutingFeatures.Find(row.Feature) is not { } feature) continue;
            object settings;
            try
            {
                settings = RoutingSettingsJson.Deserialize(feature, row.SettingsJson);
            }
            catch (JsonException ex)
            {
                // Failing loudly beats routing a blacklisted caller through because a row was unreadable.
                throw new StorageException($"the {feature.Name} settings of {row.PartyKind} '{row.PartyId}' in {database.Path} cannot be read: {ex.Message}", ex);
            }
            cache[new Key(row.PartyKind, row.PartyId.ToLowerInvariant(), feature.Name)] = new StoredRoutingSettings(feature, settings, DapperSetup.Parse(row.UpdatedAt));
        }
        return cache;
    }

    private static string KindOf(RoutingParty party) => party is RoutingParty.User ? "user" : "group";

    private static string IdOf(RoutingParty party) => party switch
    {
        RoutingParty.User user => user.LoginId,
        RoutingParty.Group group => group.Name,
        _ => throw new ArgumentOutOfRangeException(nameof(party)),
    };
}

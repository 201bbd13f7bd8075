using System.Net;
using System.Text.Json;
using Dapper;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transports;
using Pbx.Storage.Sqlite;

namespace Pbx.Storage.Sip;

/// <summary>SIP registrations kept across restarts, written in batches by the registrar's persister.</summary>
public sealed class SqliteBindingStore(SqliteDatabase database) : IBindingStore
{
    public Task<IReadOnlyList<Binding>> LoadAsync(CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<Binding>>(async connection =>
            (await connection.QueryAsync<Row>("SELECT * FROM sip_bindings")).Select(r => r.ToBinding()).ToList(), cancellationToken);

    public Task SaveAsync(IReadOnlyCollection<Binding> changed, IReadOnlyCollection<Binding> removed, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (removed.Count > 0)
                await connection.ExecuteAsync("DELETE FROM sip_bindings WHERE aor = @Aor AND binding_key = @Key",
                    removed.Select(b => new { b.Aor, b.Key }), tx);
            if (changed.Count > 0)
                await connection.ExecuteAsync("""
                    INSERT OR REPLACE INTO sip_bindings (aor, binding_key, contact, instance_id, reg_id, q, expires_at, call_id, cseq,
                        transport, remote_address, remote_port, connection_id, path_json, user_agent, updated_at, registered_at, mobile)
                    VALUES (@Aor, @Key, @Contact, @InstanceId, @RegId, @Q, @ExpiresAt, @CallId, @CSeq,
                        @Transport, @RemoteAddress, @RemotePort, @ConnectionId, @PathJson, @UserAgent, @UpdatedAt, @RegisteredAt, @Mobile)
                    """, changed.Select(b => new
                {
                    b.Aor, b.Key, b.Contact, b.InstanceId, b.RegId, b.Q, ExpiresAt = DapperSetup.Format(b.ExpiresAt), b.CallId, CSeq = (long)b.CSeq,
                    Transport = b.Flow.Transport.ToString(), RemoteAddress = b.Flow.Remote.Address.ToString(), RemotePort = b.Flow.Remote.Port,
                    b.Flow.ConnectionId, PathJson = JsonSerializer.Serialize(b.Path), b.UserAgent, UpdatedAt = DapperSetup.Format(b.UpdatedAt),
                    RegisteredAt = DapperSetup.Format(b.RegisteredAt), Mobile = b.IsMobile ? 1 : 0,
                }), tx);
            return 0;
        }, cancellationToken);

    private sealed class Row
    {
        public string Aor { get; init; } = "";
        public string Contact { get; init; } = "";
        public string? InstanceId { get; init; }
        public long? RegId { get; init; }
        public double Q { get; init; }
        public string ExpiresAt { get; init; } = "";
        public string CallId { get; init; } = "";
        public long Cseq { get; init; }
        public string Transport { get; init; } = "";
        public string RemoteAddress { get; init; } = "";
        public long RemotePort { get; init; }
        public long ConnectionId { get; init; }
        public string PathJson { get; init; } = "[]";
        public string? UserAgent { get; init; }
        public string UpdatedAt { get; init; } = "";
        public string RegisteredAt { get; init; } = "";
        public long Mobile { get; init; }

        public Binding ToBinding() => new(
            Aor, Contact, InstanceId, (int?)RegId, Q, DapperSetup.Parse(ExpiresAt), CallId, (uint)Cseq,
            new SipFlow(Enum.Parse<SipTransportKind>(Transport), new IPEndPoint(IPAddress.Parse(RemoteAddress), (int)RemotePort), ConnectionId),
            JsonSerializer.Deserialize<List<string>>(PathJson) ?? [], UserAgent, DapperSetup.Parse(UpdatedAt), DapperSetup.Parse(RegisteredAt))
        {
            IsMobile = Mobile != 0,
        };
    }
}

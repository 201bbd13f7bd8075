using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Accounts;
using Pbx.Xmpp.Auth;

namespace Pbx.Storage.Accounts;

public sealed partial class SqliteDirectoryStore(SqliteDatabase database, TimeProvider time) : IDirectoryStore
{
    private const string UserColumns = "id, login_id, display_name, email, language, created_at";
    private const string PasswordColumns = """
        digest_realm, digest_ha1_md5, digest_ha1_sha256,
        scram_sha1_salt, scram_sha1_iterations, scram_sha1_stored_key, scram_sha1_server_key,
        scram_sha256_salt, scram_sha256_iterations, scram_sha256_stored_key, scram_sha256_server_key
        """;

    public event Action<UserChange>? UserChanged;

    private async Task<T> Notifying<T>(Task<T> write, Func<T, UserChange?> change)
    {
        var result = await write;
        if (change(result) is { } committed) UserChanged?.Invoke(committed);
        return result;
    }

    public Task<User> CreateUserAsync(NewUser user, PasswordMaterial password, CancellationToken ct = default) =>
        Notifying(database.InTransactionAsync(async (connection, tx) =>
        {
            if (await UserIdAsync(connection, tx, user.LoginId) is not null)
                throw new DirectoryRuleException(DirectoryFault.Conflict, "loginId", $"login ID '{user.LoginId}' is already taken");
            var id = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO users (login_id, display_name, email, language, created_at,
                    digest_realm, digest_ha1_md5, digest_ha1_sha256,
                    scram_sha1_salt, scram_sha1_iterations, scram_sha1_stored_key, scram_sha1_server_key,
                    scram_sha256_salt, scram_sha256_iterations, scram_sha256_stored_key, scram_sha256_server_key)
                VALUES (@LoginId, @DisplayName, @Email, @Language, @CreatedAt,
                    @DigestRealm, @DigestHa1Md5, @DigestHa1Sha256,
                    @Sha1Salt, @Sha1Iterations, @Sha1StoredKey, @Sha1ServerKey,
                    @Sha256Salt, @Sha256Iterations, @Sha256StoredKey, @Sha256ServerKey)
                RETURNING id;
                """, PasswordParameters(password, new
                {
                    user.LoginId, user.DisplayName, Email = NullIfEmpty(user.Email), user.Language,
                    CreatedAt = DapperSetup.Format(time.GetUtcNow()),
                }), tx);
            return (await connection.QuerySingleAsync<UserRow>($"SELECT {UserColumns} FROM users WHERE id = @id", new { id }, tx)).ToUser();
        }, ct), created => new UserChange(created.LoginId, password, Deleted: false));

    public Task<User?> FindUserAsync(string loginId, CancellationToken ct = default) =>
        database.RunAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<UserRow>($"SELECT {UserColumns} FROM users WHERE login_id = @loginId", new { loginId }))?.ToUser(), ct);

    public Task<IReadOnlyList<User>> ListUsersAsync(CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyList<User>>(async connection =>
            (await connection.QueryAsync<UserRow>($"SELECT {UserColumns} FROM users ORDER BY login_id")).Select(r => r.ToUser()).ToList(), ct);

    public Task<User?> UpdateUserAsync(string loginId, UserChanges changes, PasswordMaterial? newPassword, CancellationToken ct = default) =>
        Notifying(database.InTransactionAsync(async (connection, tx) =>
        {
            var updated = await connection.ExecuteAsync("""
                UPDATE users SET
                    display_name = COALESCE(@DisplayName, display_name),
                    email = CASE WHEN @Email IS NULL THEN email WHEN @Email = '' THEN NULL ELSE @Email END,
                    language = COALESCE(@Language, language)
                WHERE login_id = @loginId
                """, new { loginId, changes.DisplayName, changes.Email, changes.Language }, tx);
            if (updated == 0) return null;
            if (newPassword is not null)
            {
                await connection.ExecuteAsync("""
                    UPDATE users SET digest_realm = @DigestRealm, digest_ha1_md5 = @DigestHa1Md5, digest_ha1_sha256 = @DigestHa1Sha256,
                        scram_sha1_salt = @Sha1Salt, scram_sha1_iterations = @Sha1Iterations,
                        scram_sha1_stored_key = @Sha1StoredKey, scram_sha1_server_key = @Sha1ServerKey,
                        scram_sha256_salt = @Sha256Salt, scram_sha256_iterations = @Sha256Iterations,
                        scram_sha256_stored_key = @Sha256StoredKey, scram_sha256_server_key = @Sha256ServerKey
                    WHERE login_id = @loginId
                    """, PasswordParameters(newPassword, new { loginId }), tx);
            }
            return (await connection.QuerySingleAsync<UserRow>($"SELECT {UserColumns} FROM users WHERE login_id = @loginId", new { loginId }, tx)).ToUser();
        }, ct), updated => updated is null ? null : new UserChange(updated.LoginId, newPassword, Deleted: false));

    public Task<bool> DeleteUserAsync(string loginId, CancellationToken ct = default) =>
        Notifying(database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync("DELETE FROM users WHERE login_id = @loginId", new { loginId }, tx) > 0, ct),
            deleted => deleted ? new UserChange(loginId, null, Deleted: true) : null);

    public Task<PasswordMaterial?> FindPasswordAsync(string loginId, CancellationToken ct = default) =>
        database.RunAsync(async connection =>
            (await connection.QuerySingleOrDefaultAsync<PasswordRow>($"SELECT {PasswordColumns} FROM users WHERE login_id = @loginId", new { loginId }))?.ToMaterial(), ct);

    public Task<IReadOnlyDictionary<string, PasswordMaterial>> ListPasswordsAsync(CancellationToken ct = default) =>
        database.RunAsync<IReadOnlyDictionary<string, PasswordMaterial>>(async connection =>
            (await connection.QueryAsync<PasswordRow>($"SELECT login_id, {PasswordColumns} FROM users"))
            .ToDictionary(r => r.LoginId, r => r.ToMaterial(), StringComparer.OrdinalIgnoreCase), ct);

    private static Task<long?> UserIdAsync(SqliteConnection connection, IDbTransaction tx, string loginId) =>
        connection.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE login_id = @loginId", new { loginId }, tx);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DynamicParameters PasswordParameters(PasswordMaterial p, object others)
    {
        var parameters = new DynamicParameters(others);
        parameters.AddDynamicParams(new
        {
            p.DigestRealm, p.DigestHa1Md5, p.DigestHa1Sha256,
            Sha1Salt = p.ScramSha1.Salt, Sha1Iterations = p.ScramSha1.Iterations,
            Sha1StoredKey = p.ScramSha1.StoredKey, Sha1ServerKey = p.ScramSha1.ServerKey,
            Sha256Salt = p.ScramSha256.Salt, Sha256Iterations = p.ScramSha256.Iterations,
            Sha256StoredKey = p.ScramSha256.StoredKey, Sha256ServerKey = p.ScramSha256.ServerKey,
        });
        return parameters;
    }

    private sealed class UserRow
    {
        public long Id { get; init; }
        public string LoginId { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? Email { get; init; }
        public string Language { get; init; } = "en";
        public string CreatedAt { get; init; } = "";

        public User ToUser() => new(Id, LoginId, DisplayName, Email, Language, DapperSetup.Parse(CreatedAt));
    }

    private sealed class PasswordRow
    {
        public string LoginId { get; init; } = "";
        public string DigestRealm { get; init; } = "";
        public string DigestHa1Md5 { get; init; } = "";
        public string DigestHa1Sha256 { get; init; } = "";
        public byte[] ScramSha1Salt { get; init; } = [];
        public long ScramSha1Iterations { get; init; }
        public byte[] ScramSha1StoredKey { get; init; } = [];
        public byte[] ScramSha1ServerKey { get; init; } = [];
        public byte[] ScramSha256Salt { get; init; } = [];
        public long ScramSha256Iterations { get; init; }
        public byte[] ScramSha256StoredKey { get; init; } = [];
        public byte[] ScramSha256ServerKey { get; init; } = [];

        public PasswordMaterial ToMaterial() => new(
            DigestRealm, DigestHa1Md5, DigestHa1Sha256,
            new ScramCredential(ScramHash.Sha1, ScramSha1Salt, (int)ScramSha1Iterations, ScramSha1StoredKey, ScramSha1ServerKey),
            new ScramCredential(ScramHash.Sha256, ScramSha256Salt, (int)ScramSha256Iterations, ScramSha256StoredKey, ScramSha256ServerKey));
    }
}

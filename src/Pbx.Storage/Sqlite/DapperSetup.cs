using System.Globalization;
using Dapper;

namespace Pbx.Storage.Sqlite;

/// <summary>
/// Timestamps are stored as fixed-width UTC ISO-8601 text, so they sort and compare as text in SQL.
/// They are formatted here rather than by a Dapper type handler: Dapper binds DateTimeOffset parameters itself,
/// and the provider's own format carries an offset that would break text ordering.
/// </summary>
internal static class DapperSetup
{
    private static int _configured;

    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? value) => value is { } v ? Format(v) : null;

    public static DateTimeOffset Parse(string value) =>
        DateTimeOffset.ParseExact(value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static void EnsureConfigured()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }
}

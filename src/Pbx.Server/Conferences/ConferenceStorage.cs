using Pbx.Storage.Conferences;
using Pbx.Storage.Sqlite;
using Pbx.Telephony.Conferences;

namespace Pbx.Server.Conferences;

/// <summary>Dial-in rooms, scheduled and finished conferences in the daemon's SQLite database.</summary>
internal static class ConferenceStorage
{
    public static void Add(IServiceCollection services, SqliteDatabase database, TimeProvider time)
    {
        services.AddSingleton(_ => new SqliteConferenceStore(database, time));
        // One instance behind both names, so its Changed event reaches whoever subscribed through the interface.
        services.AddSingleton<IConferenceStore>(provider => provider.GetRequiredService<SqliteConferenceStore>());
    }
}

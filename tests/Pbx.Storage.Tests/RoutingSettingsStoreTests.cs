using System.Text.Json;
using Pbx.Storage.Accounts;
using Pbx.Storage.Routing;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Routing;
using Pbx.Xmpp.Auth;

namespace Pbx.Storage.Tests;

public sealed class RoutingSettingsStoreTests : IAsyncLifetime
{
    private static readonly PasswordMaterial Material = new("pbx", "md5", "sha256",
        new ScramCredential(ScramHash.Sha1, [1], 1, [2], [3]), new ScramCredential(ScramHash.Sha256, [4], 1, [5], [6]));
    private static readonly RoutingParty Alice = new RoutingParty.User("alice");
    private static readonly RoutingParty Support = new RoutingParty.Group("Support");

    private TempDatabase _db = null!;
    private SqliteRoutingSettings _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TempDatabase.MigratedAsync();
        _store = new SqliteRoutingSettings(_db.Database, TimeProvider.System);
    }

    public Task DisposeAsync() { _db.Dispose(); return Task.CompletedTask; }

    /// <summary>One fully populated record per feature, so every field kind (TimeSpan, TimeOnly, days, enums, zones) is stored.</summary>
    public static TheoryData<string, object, string> EveryFeature() => new()
    {
        { "redirection", new RedirectionSettings(
            Always: new RedirectDestination.Number("+4930123456"),
            Busy: new RedirectDestination.Mailbox("alice"),
            Timeout: new TimeoutRedirection(new RedirectDestination.Number("200"), 25),
            ExceptionCallers: new HashSet<string> { "bob", "+4989111" }), "user" },
        { "redirection", new RedirectionSettings(Timeout: new TimeoutRedirection(new RedirectDestination.Mailbox("bob"), 120)), "group" },
        { "dnd", new DndSettings(true), "user" },
        { "ifmc", new IfmcSettings([
            new IfmcConfiguration("+491701234567", TimeSpan.FromSeconds(7.5), ConfirmByKeypress: true, new IfmcSchedule("Europe/Berlin", [
                new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Friday }, new TimeOnly(8, 30), new TimeOnly(17, 45, 30)),
                new ScheduleWindow(new HashSet<DayOfWeek> { DayOfWeek.Sunday }, new TimeOnly(22, 0), new TimeOnly(6, 0)),
            ])),
            new IfmcConfiguration("+12125550100", TimeSpan.Zero),
        ]), "user" },
        { "blacklist", new Blacklist(["+4989123456", "0800"], ["+4990", "1"]), "group" },
        { "barring", new BarringSettings(true, "0042"), "user" },
        { "autopilot", new AutoPilotSettings(PreferredDevice.AddedDevice, RouteCallsToCell: true, CellNumber: "+491709876543",
            AddedDevice: new Device(3, "alice", DeviceKind.Added, "Car", "+491601111111", 30),
            Times: new AutoPilotTimes(TimeSpan.FromSeconds(12), TimeSpan.FromMilliseconds(8500), TimeSpan.FromMinutes(1)), MailboxId: "alice2"), "user" },
        { "hunting", new CallHuntingSettings(TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(90)), "group" },
    };

    [Theory]
    [MemberData(nameof(EveryFeature))]
    public async Task Every_feature_round_trips_through_the_database_exactly(string name, object settings, string kind)
    {
        var feature = RoutingFeatures.Find(name)!;
        var party = kind == "user" ? Alice : Support;
        await _store.SetAsync(party, feature, settings);

        // A fresh instance has an empty cache, so this reads the row back from the file.
        var reopened = new SqliteRoutingSettings(_db.Database, TimeProvider.System);
        var read = (await reopened.FindAsync(party, feature))!.Settings;

        Assert.IsType(settings.GetType(), read);
        Assert.Equal(RoutingSettingsJson.Serialize(feature, settings), RoutingSettingsJson.Serialize(feature, read));
        AssertDeepEqual(settings, read);
    }

    [Fact]
    public async Task Routing_reads_typed_settings_case_insensitively_and_sees_writes_at_once()
    {
        Assert.Null(await _store.GetAsync<DndSettings>(Alice, default));
        await _store.SetAsync(Alice, RoutingFeatures.Dnd, new DndSettings(true));
        Assert.Equal(new DndSettings(true), await _store.GetAsync<DndSettings>(new RoutingParty.User("ALICE"), default));

        await _store.SetAsync(Alice, RoutingFeatures.Dnd, new DndSettings(false));
        Assert.Equal(new DndSettings(false), await _store.GetAsync<DndSettings>(Alice, default));
        Assert.True(await _store.DeleteAsync(Alice, RoutingFeatures.Dnd));
        Assert.Null(await _store.GetAsync<DndSettings>(Alice, default));
        Assert.False(await _store.DeleteAsync(Alice, RoutingFeatures.Dnd));
        Assert.Null(await new SqliteRoutingSettings(_db.Database, TimeProvider.System).GetAsync<DndSettings>(Alice, default));
    }

    [Fact]
    public async Task Settings_breaking_a_rule_or_of_a_feature_the_party_lacks_are_refused()
    {
        var bad = new IfmcSettings([new IfmcConfiguration("01701234567", TimeSpan.FromSeconds(5))]);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _store.SetAsync(Alice, RoutingFeatures.Ifmc, bad));
        Assert.Contains("configurations[0].e164", ex.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SetAsync(Support, RoutingFeatures.Dnd, new DndSettings(true)));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SetAsync(Alice, RoutingFeatures.Dnd, new BarringSettings(true, null)));
        Assert.Empty(await _store.ListAsync(Alice));
    }

    [Fact]
    public async Task Deleting_a_user_drops_its_rows_and_owners_and_groups_come_from_the_directory()
    {
        var directory = new SqliteDirectoryStore(_db.Database, TimeProvider.System);
        await directory.CreateUserAsync(new NewUser("alice", "Alice", null, "en", "unused"), Material);
        await directory.CreateUserAsync(new NewUser("bob", "Bob", null, "en", "unused"), Material);
        await directory.CreateGroupAsync(new NewGroup("Support", RingMode.Hunting, ["bob", "alice"]));
        await directory.AssignNumberAsync("100", "alice", null);
        await directory.AssignNumberAsync("+4930999", null, "Support");

        Assert.Equal(Alice, await _store.FindOwnerAsync("100", default));
        Assert.Equal(Support, await _store.FindOwnerAsync("+4930999", default));
        Assert.Null(await _store.FindOwnerAsync("555", default));
        var group = await _store.GetGroupAsync("support", default);
        Assert.Equal(RingMode.Hunting, group!.RingMode);
        Assert.Equal(["bob", "alice"], group.MemberLoginIds);
        Assert.Null(await _store.GetGroupAsync("nobody", default));

        await _store.SetAsync(Alice, RoutingFeatures.Dnd, new DndSettings(true));
        await directory.DeleteUserAsync("alice");
        Assert.Null(await new SqliteRoutingSettings(_db.Database, TimeProvider.System).GetAsync<DndSettings>(Alice, default));
        _store.Forget(Alice);
        Assert.Null(await _store.GetAsync<DndSettings>(Alice, default));
    }

    [Theory]
    [InlineData("redirection", """{"timeout": {"destination": {"number": "200"}, "seconds": 121}}""", "timeout.seconds")]
    [InlineData("redirection", """{"timeout": {"seconds": 20}}""", "timeout.destination")]
    [InlineData("redirection", """{"always": {"phone": "200"}}""", "always.phone")]
    [InlineData("ifmc", """{"configurations": [{"e164": "+4917012345", "delay": "00:00:05", "schedule": {"timeZoneId": "Europe/Berlin", "windows": [{"days": ["Mondy"], "from": "08:00", "to": "17:00"}]}}]}""", "configurations[0].schedule.windows[0].days")]
    [InlineData("dnd", """{"active": true, "extra": 1}""", "extra")]
    [InlineData("dnd", """{"active": "yes"}""", "active")]
    [InlineData("blacklist", """{"numbers": null, "prefixes": []}""", "numbers")]
    [InlineData("autopilot", """{"preferred": 2}""", "preferred")]
    public void Malformed_json_names_the_field(string name, string json, string field)
    {
        var ex = Assert.ThrowsAny<JsonException>(() => RoutingSettingsJson.Deserialize(RoutingFeatures.Find(name)!, json));
        Assert.Equal(field, RoutingSettingsJson.Describe(ex).Field);
    }

    // Records holding sets and lists compare those by reference, so compare member by member through reflection.
    private static void AssertDeepEqual(object? expected, object? actual)
    {
        if (expected is null || actual is null) { Assert.Equal(expected, actual); return; }
        switch (expected)
        {
            case string or ValueType or RedirectDestination:
                Assert.Equal(expected, actual);
                return;
            case System.Collections.IEnumerable items when expected.GetType().GetInterfaces().Any(i => i.Name.StartsWith("IReadOnlySet", StringComparison.Ordinal)):
                Assert.Equal(items.Cast<object>().ToHashSet(), ((System.Collections.IEnumerable)actual).Cast<object>().ToHashSet());
                return;
            case System.Collections.IEnumerable items:
                var left = items.Cast<object>().ToList();
                var right = ((System.Collections.IEnumerable)actual).Cast<object>().ToList();
                Assert.Equal(left.Count, right.Count);
                for (var i = 0; i < left.Count; i++) AssertDeepEqual(left[i], right[i]);
                return;
        }
        foreach (var property in expected.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
            AssertDeepEqual(property.GetValue(expected), property.GetValue(actual));
    }
}

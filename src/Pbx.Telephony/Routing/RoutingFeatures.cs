namespace Pbx.Telephony.Routing;

[Flags]
public enum RoutingPartyKinds
{
    User = 1,
    Group = 2,
    Both = User | Group,
}

/// <summary>
/// A per-party routing feature as the admin sees it: its name in the API and in storage, the settings record the
/// routing modules read, which parties it means something for, and what applies while nothing is stored.
/// </summary>
/// <param name="Default">The behaviour of a party without a stored record; null where the record's presence turns the feature on (auto-pilot).</param>
public sealed record RoutingFeature(string Name, Type SettingsType, RoutingPartyKinds AppliesTo, object? Default)
{
    public bool AppliesToParty(RoutingParty party) =>
        AppliesTo.HasFlag(party is RoutingParty.User ? RoutingPartyKinds.User : RoutingPartyKinds.Group);
}

/// <summary>The configurable features. Names are part of the admin API and of stored rows: never rename one.</summary>
public static class RoutingFeatures
{
    public static readonly RoutingFeature Redirection = new("redirection", typeof(RedirectionSettings), RoutingPartyKinds.Both, new RedirectionSettings());
    public static readonly RoutingFeature Dnd = new("dnd", typeof(DndSettings), RoutingPartyKinds.User, new DndSettings(false));
    public static readonly RoutingFeature Ifmc = new("ifmc", typeof(IfmcSettings), RoutingPartyKinds.User, new IfmcSettings([]));
    public static readonly RoutingFeature Blacklist = new("blacklist", typeof(Blacklist), RoutingPartyKinds.Both, new Blacklist([], []));
    public static readonly RoutingFeature Barring = new("barring", typeof(BarringSettings), RoutingPartyKinds.User, new BarringSettings(false, null));
    public static readonly RoutingFeature AutoPilot = new("autopilot", typeof(AutoPilotSettings), RoutingPartyKinds.User, null);
    public static readonly RoutingFeature Hunting = new("hunting", typeof(CallHuntingSettings), RoutingPartyKinds.Group, new CallHuntingSettings());

    public static IReadOnlyList<RoutingFeature> All { get; } = [Redirection, Dnd, Ifmc, Blacklist, Barring, AutoPilot, Hunting];

    public static RoutingFeature? Find(string name) =>
        All.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public static RoutingFeature? ForType(Type settingsType) => All.FirstOrDefault(f => f.SettingsType == settingsType);

    public static IEnumerable<RoutingFeature> For(RoutingParty party) => All.Where(f => f.AppliesToParty(party));
}

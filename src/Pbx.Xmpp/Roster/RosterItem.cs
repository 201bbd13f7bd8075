namespace Pbx.Xmpp.Roster;

/// <summary>Subscription states of RFC 6121 §2.1.2.5.</summary>
public enum Subscription
{
    None,
    To,
    From,
    Both,
}

/// <summary>
/// A personal roster item of one user. <see cref="AskSubscribe"/> marks a pending outbound request
/// (the "ask" attribute). Contact is a bare JID string.
/// </summary>
public sealed record RosterItem(string Contact, string? Name, Subscription Subscription, bool AskSubscribe, IReadOnlyList<string> Groups)
{
    public bool HasTo => Subscription is Subscription.To or Subscription.Both;
    public bool HasFrom => Subscription is Subscription.From or Subscription.Both;

    public static string ToAttribute(Subscription subscription) => subscription switch
    {
        Subscription.To => "to",
        Subscription.From => "from",
        Subscription.Both => "both",
        _ => "none",
    };

    public static Subscription With(bool to, bool from) =>
        (to, from) switch
        {
            (true, true) => Subscription.Both,
            (true, false) => Subscription.To,
            (false, true) => Subscription.From,
            _ => Subscription.None,
        };
}

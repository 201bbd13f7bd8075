namespace Pbx.Telephony.Accounts;

public enum RingMode
{
    /// <summary>All members ring at once.</summary>
    Parallel,
    /// <summary>One member at a time in member order (call hunting).</summary>
    Hunting,
}

/// <summary>A group with its members in ring order.</summary>
public sealed record Group(long Id, string Name, RingMode RingMode, IReadOnlyList<string> MemberLoginIds);

public sealed record NewGroup(string Name, RingMode RingMode, IReadOnlyList<string> MemberLoginIds);

namespace Pbx.Telephony.Accounts;

public enum DirectoryFault
{
    /// <summary>The value is taken (a login ID, a number, a group name).</summary>
    Conflict,
    /// <summary>The request names a user or group that does not exist.</summary>
    UnknownReference,
}

/// <summary>
/// A directory write refused because of other rows, named by the request field at fault.
/// The store raises it before anything is written, or inside a transaction that is rolled back.
/// </summary>
public sealed class DirectoryRuleException(DirectoryFault fault, string field, string message) : Exception(message)
{
    public DirectoryFault Fault { get; } = fault;
    public string Field { get; } = field;
}

namespace Pbx.Sip.Messages;

public enum SipMethod : byte
{
    /// <summary>An extension method; compare <c>MethodName</c> bytes.</summary>
    Unknown,
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Info,
    Prack,
    Update,
    Subscribe,
    Notify,
    Refer,
    Message,
    Publish,
}

public static class SipMethods
{
    private static readonly byte[][] Names =
    [
        [], "INVITE"u8.ToArray(), "ACK"u8.ToArray(), "BYE"u8.ToArray(), "CANCEL"u8.ToArray(), "REGISTER"u8.ToArray(),
        "OPTIONS"u8.ToArray(), "INFO"u8.ToArray(), "PRACK"u8.ToArray(), "UPDATE"u8.ToArray(), "SUBSCRIBE"u8.ToArray(),
        "NOTIFY"u8.ToArray(), "REFER"u8.ToArray(), "MESSAGE"u8.ToArray(), "PUBLISH"u8.ToArray(),
    ];

    /// <summary>Methods are case-sensitive (RFC 3261 §7.1): "invite" is an extension method.</summary>
    public static SipMethod Lookup(ReadOnlySpan<byte> name)
    {
        for (int i = 1; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i])) return (SipMethod)i;
        }
        return SipMethod.Unknown;
    }

    public static ReadOnlySpan<byte> GetName(SipMethod method) => Names[(int)method];
}

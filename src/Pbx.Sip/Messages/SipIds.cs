using System.Security.Cryptography;

namespace Pbx.Sip.Messages;

/// <summary>Random identifiers: branch (with the RFC 3261 magic cookie), tags and Call-IDs.</summary>
public static class SipIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewBranch() => "z9hG4bK" + Random(16);

    public static string NewTag() => Random(10);

    public static string NewCallId() => Random(20);

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}

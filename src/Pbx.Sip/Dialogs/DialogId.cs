using System.Text;

namespace Pbx.Sip.Dialogs;

/// <summary>
/// A dialog's identity (RFC 3261 §12): Call-ID, local tag and remote tag, seen from our side. The three parts share one
/// array and the hash is computed once, so the value is cheap to copy and to use as a dictionary key. Call-IDs and
/// tags compare byte for byte (RFC 3261 §20.8 makes Call-IDs case-sensitive; tags are opaque tokens we never fold).
/// </summary>
public readonly struct DialogId : IEquatable<DialogId>
{
    private readonly byte[]? _bytes;
    private readonly int _callIdLength;
    private readonly int _localTagLength;
    private readonly int _hash;

    public DialogId(ReadOnlySpan<byte> callId, ReadOnlySpan<byte> localTag, ReadOnlySpan<byte> remoteTag)
    {
        var bytes = new byte[callId.Length + localTag.Length + remoteTag.Length];
        callId.CopyTo(bytes);
        localTag.CopyTo(bytes.AsSpan(callId.Length));
        remoteTag.CopyTo(bytes.AsSpan(callId.Length + localTag.Length));
        _bytes = bytes;
        _callIdLength = callId.Length;
        _localTagLength = localTag.Length;
        _hash = ComputeHash(callId, localTag, remoteTag);
    }

    public ReadOnlySpan<byte> CallId => _bytes.AsSpan(0, _callIdLength);

    public ReadOnlySpan<byte> LocalTag => _bytes.AsSpan(_callIdLength, _localTagLength);

    /// <summary>Empty when the peer sent no tag (an RFC 2543 peer, RFC 3261 §12.1.1).</summary>
    public ReadOnlySpan<byte> RemoteTag => _bytes.AsSpan(_callIdLength + _localTagLength);

    public bool IsEmpty => _bytes is null;

    public DialogIdView AsView() => new(CallId, LocalTag, RemoteTag);

    public bool Equals(DialogId other) =>
        _hash == other._hash && _callIdLength == other._callIdLength && _localTagLength == other._localTagLength
        && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is DialogId other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(DialogId left, DialogId right) => left.Equals(right);

    public static bool operator !=(DialogId left, DialogId right) => !left.Equals(right);

    public override string ToString() =>
        $"{Encoding.UTF8.GetString(CallId)};local-tag={Encoding.UTF8.GetString(LocalTag)};remote-tag={Encoding.UTF8.GetString(RemoteTag)}";

    /// <summary>One hash for both the stored key and a <see cref="DialogIdView"/> over a received message.</summary>
    internal static int ComputeHash(ReadOnlySpan<byte> callId, ReadOnlySpan<byte> localTag, ReadOnlySpan<byte> remoteTag)
    {
        var hash = new HashCode();
        hash.AddBytes(callId);
        hash.Add(localTag.Length);
        hash.AddBytes(localTag);
        hash.AddBytes(remoteTag);
        return hash.ToHashCode();
    }
}

/// <summary>
/// A dialog identity as spans into a received message, for lookups that must not allocate
/// (<see cref="DialogTable"/> uses it as the alternate key of its dictionary).
/// </summary>
public readonly ref struct DialogIdView
{
    public DialogIdView(ReadOnlySpan<byte> callId, ReadOnlySpan<byte> localTag, ReadOnlySpan<byte> remoteTag)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
    }

    public ReadOnlySpan<byte> CallId { get; }

    public ReadOnlySpan<byte> LocalTag { get; }

    public ReadOnlySpan<byte> RemoteTag { get; }

    public bool Matches(in DialogId id) =>
        CallId.SequenceEqual(id.CallId) && LocalTag.SequenceEqual(id.LocalTag) && RemoteTag.SequenceEqual(id.RemoteTag);

    public DialogId ToId() => new(CallId, LocalTag, RemoteTag);
}

/// <summary>Lets a dictionary keyed by <see cref="DialogId"/> be searched with a <see cref="DialogIdView"/>.</summary>
internal sealed class DialogIdComparer : IEqualityComparer<DialogId>, IAlternateEqualityComparer<DialogIdView, DialogId>
{
    public static readonly DialogIdComparer Instance = new();

    public bool Equals(DialogId x, DialogId y) => x.Equals(y);

    public int GetHashCode(DialogId obj) => obj.GetHashCode();

    public bool Equals(DialogIdView alternate, DialogId other) => alternate.Matches(other);

    public int GetHashCode(DialogIdView alternate) => DialogId.ComputeHash(alternate.CallId, alternate.LocalTag, alternate.RemoteTag);

    public DialogId Create(DialogIdView alternate) => alternate.ToId();
}

using System.Security.Cryptography;
using System.Text;

namespace Pbx.Sip.Transports.WebSockets;

/// <summary>
/// The server half of the RFC 6455 §4.2 opening handshake for SIP (RFC 7118 §4): a GET with Upgrade: websocket,
/// Connection: Upgrade, Sec-WebSocket-Version 13, a 16-byte Sec-WebSocket-Key and "sip" among the offered subprotocols.
/// </summary>
internal static class WebSocketUpgrade
{
    public const string SubProtocol = "sip";

    /// <summary>Request line plus headers; browsers send well under 2 KiB, cookies included.</summary>
    public const int MaxRequestSize = 8 * 1024;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Reads the request head. Null if the peer closed, sent too much, or sent bytes after the head (§4.1: a
    /// client waits for the 101 before sending frames, so anything more is a protocol violation).</summary>
    public static async Task<string?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestSize];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0) return null;
            int searchFrom = Math.Max(0, filled - 3);
            filled += read;
            int end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
            if (end < 0) continue;
            int headLength = searchFrom + end + 4;
            return headLength == filled ? Encoding.Latin1.GetString(buffer, 0, headLength) : null;
        }
        return null;
    }

    /// <summary>The response to send: 101 with the accept key, 426 for another WebSocket version, else 400.</summary>
    public static UpgradeResponse Evaluate(string requestHead)
    {
        var lines = requestHead.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || requestLine[2] != "HTTP/1.1" || !requestLine[1].StartsWith('/'))
        {
            return UpgradeResponse.Refuse(400, "not an HTTP/1.1 GET");
        }

        string? upgrade = null, connection = null, key = null, version = null, host = null;
        var protocols = new StringBuilder();
        foreach (var line in lines.AsSpan(1))
        {
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return UpgradeResponse.Refuse(400, "malformed header line");
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (Is(name, "Upgrade")) upgrade = Join(upgrade, value);
            else if (Is(name, "Connection")) connection = Join(connection, value);
            else if (Is(name, "Sec-WebSocket-Key")) key = value;
            else if (Is(name, "Sec-WebSocket-Version")) version = value;
            else if (Is(name, "Host")) host = value;
            else if (Is(name, "Sec-WebSocket-Protocol")) protocols.Append(value).Append(',');
        }

        if (host is null) return UpgradeResponse.Refuse(400, "no Host");
        if (!HasToken(upgrade, "websocket", StringComparison.OrdinalIgnoreCase)) return UpgradeResponse.Refuse(400, "not a WebSocket upgrade");
        if (!HasToken(connection, "Upgrade", StringComparison.OrdinalIgnoreCase)) return UpgradeResponse.Refuse(400, "Connection lacks Upgrade");
        if (version != "13") return UpgradeResponse.Refuse(426, $"WebSocket version '{version}'");
        if (key is null || !IsValidKey(key)) return UpgradeResponse.Refuse(400, "bad Sec-WebSocket-Key");
        // Subprotocol names are case-sensitive tokens (RFC 6455 §11.3.4); RFC 7118 registers "sip".
        if (!HasToken(protocols.ToString(), SubProtocol, StringComparison.Ordinal)) return UpgradeResponse.Refuse(400, "subprotocol 'sip' not offered");
        return UpgradeResponse.Accept(ComputeAccept(key));
    }

    public static string ComputeAccept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out int length) && length == 16;
    }

    private static bool Is(string name, string expected) => name.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static string Join(string? existing, string value) => existing is null ? value : existing + "," + value;

    private static bool HasToken(string? list, string token, StringComparison comparison)
    {
        if (list is null) return false;
        foreach (var part in list.Split(','))
        {
            if (part.Trim().Equals(token, comparison)) return true;
        }
        return false;
    }
}

/// <summary>What to answer an upgrade request with; <see cref="Bytes"/> is the whole HTTP response head.</summary>
internal sealed record UpgradeResponse(int Status, string Reason, byte[] Bytes)
{
    public bool IsAccepted => Status == 101;

    public static UpgradeResponse Accept(string acceptKey) => new(101, "accepted", Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        $"Sec-WebSocket-Accept: {acceptKey}\r\n" +
        $"Sec-WebSocket-Protocol: {WebSocketUpgrade.SubProtocol}\r\n\r\n"));

    public static UpgradeResponse Refuse(int status, string reason) => new(status, reason, Encoding.ASCII.GetBytes(
        (status == 426 ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n" : "HTTP/1.1 400 Bad Request\r\n") +
        "Connection: close\r\nContent-Length: 0\r\n\r\n"));
}

using System.Net;
using System.Net.Sockets;

namespace Pbx.Integration.Tests.Infrastructure;

/// <summary>
/// Ports that were free a moment ago on 127.0.0.1 for both TCP and UDP. Handing out each port once per test run
/// keeps tests that run side by side from racing for the same one.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Issued = [];

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException) { continue; }
            lock (Issued) if (Issued.Add(port)) return port;
        }
        throw new InvalidOperationException("no free loopback port found in 100 attempts");
    }

    /// <summary>A port whose successor is free too (baresip puts SIP over TLS on its SIP port + 1).</summary>
    public static int NextPair()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Next();
            if (port >= 65535 || !IsFree(port + 1)) continue;
            lock (Issued) if (Issued.Add(port + 1)) return port;
        }
        throw new InvalidOperationException("no free pair of loopback ports found in 100 attempts");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException) { return false; }
    }
}

using System.Net;
using System.Net.Sockets;

namespace Pbx.Media.Tests.Ports;

/// <summary>
/// Finds a block of UDP ports on 127.0.0.1 that nothing is bound to right now, so tests can run side by side.
/// It searches 20000-32000, below Linux's ephemeral range (32768+), so that port-0 binds elsewhere cannot race it.
/// </summary>
internal static class FreePortRange
{
    private const int First = 20000;
    private const int Last = 32000;
    private static int _nextBase = First + (Environment.ProcessId % 150 * 64);

    public static int Find(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var basePort = Interlocked.Add(ref _nextBase, 64) - 64;
            if (basePort + count > Last) basePort = First + (basePort % (Last - First - count));
            basePort &= ~1;
            if (IsFree(basePort, count)) return basePort;
        }
        throw new InvalidOperationException("No free UDP port block found on 127.0.0.1.");
    }

    private static bool IsFree(int basePort, int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var port = basePort; port < basePort + count; port++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }
}

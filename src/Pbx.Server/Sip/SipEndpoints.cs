using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Pbx.Server.Configuration;
using Pbx.Sip.Transports;

namespace Pbx.Server.Sip;

/// <summary>
/// The address and ports the PBX puts into Via and From of requests it sends. A wildcard bind address cannot be
/// advertised, so the configured Sip:AdvertisedAddress wins, then the first non-loopback address of the host.
/// </summary>
internal sealed class SipEndpoints(SipOptions options) : Pbx.Calls.Sip.ISipLocalEndpoints
{
    public string Host { get; } = Format(ChooseHost(options));

    public string Via(SipTransportKind transport, string branch) =>
        $"SIP/2.0/{transport.ViaTransport()} {Host}:{Port(transport)};branch={branch};rport";

    public string Contact(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Udp => $"<sip:pbx@{Host}:{Port(transport)}>",
        SipTransportKind.Tls => $"<sip:pbx@{Host}:{Port(transport)};transport=tls>",
        SipTransportKind.Ws or SipTransportKind.Wss => $"<sip:pbx@{Host}:{Port(transport)};transport=ws>",
        _ => $"<sip:pbx@{Host}:{Port(transport)};transport=tcp>",
    };

    private int Port(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Tcp => options.TcpPort,
        SipTransportKind.Tls => options.TlsPort,
        SipTransportKind.Ws => options.WsPort,
        SipTransportKind.Wss => options.WssPort,
        _ => options.UdpPort,
    };

    private static IPAddress ChooseHost(SipOptions options)
    {
        if (options.AdvertisedAddress.Length > 0) return IPAddress.Parse(options.AdvertisedAddress);
        var bind = IPAddress.Parse(options.BindAddress);
        if (!bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any)) return bind;
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
    }

    private static string Format(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}

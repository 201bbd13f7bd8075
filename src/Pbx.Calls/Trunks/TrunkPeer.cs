using System.Net;
using System.Net.Sockets;
using Pbx.Sip.Transports;

namespace Pbx.Calls.Trunks;

/// <summary>
/// One configured trunk at run time: its settings, the addresses its host resolved to (kept for recognising its
/// INVITEs) and its registration, if it registers.
/// </summary>
internal sealed class TrunkPeer(TrunkSettings settings)
{
    private IPAddress[] _addresses = IPAddress.TryParse(settings.Host, out var literal) ? [literal] : [];

    public TrunkSettings Settings { get; } = settings;

    public TrunkRegistration? Registration { get; set; }

    /// <summary>The domain of our From and To URIs and of the REGISTER Request-URI.</summary>
    public string Domain => Settings.FromDomain is { Length: > 0 } domain ? domain : Settings.Host;

    public TrunkRegistrationState State => Registration?.State ?? new TrunkRegistrationState.Disabled();

    /// <summary>
    /// Whether a request from <paramref name="source"/> is this provider's: a resolved host address with the configured
    /// port, or any port from one of the configured inbound networks.
    /// </summary>
    public bool Matches(IPEndPoint source)
    {
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        if (Settings.InboundNetworks.Any(network => network.Contains(address))) return true;
        return source.Port == Settings.Port && Volatile.Read(ref _addresses).Contains(address);
    }

    /// <summary>Resolves the host again (names may move) and returns the flow requests to the provider take.</summary>
    public async ValueTask<SipFlow> ResolveAsync(CancellationToken cancellation)
    {
        var addresses = Volatile.Read(ref _addresses);
        if (!IPAddress.TryParse(Settings.Host, out _))
        {
            var found = await Dns.GetHostAddressesAsync(Settings.Host, cancellation);
            // IPv4 first: the SIP transports of a typical install listen on IPv4.
            found = [.. found.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];
            if (found.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
            Volatile.Write(ref _addresses, found);
            addresses = found;
        }
        return new SipFlow(Settings.Transport, new IPEndPoint(addresses[0], Settings.Port));
    }
}

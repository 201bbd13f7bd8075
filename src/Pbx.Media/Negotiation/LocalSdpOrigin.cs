using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Sdp;

namespace Pbx.Media.Negotiation;

/// <summary>
/// Our o= line for one dialog leg. RFC 3264 §8 requires the version to grow with every new description we send
/// on the leg while the session id stays fixed.
/// </summary>
public sealed class LocalSdpOrigin
{
    private readonly Lock _gate = new();
    private readonly string _sessionId;
    private readonly IPAddress _address;
    private ulong _version;
    private bool _issued;

    public LocalSdpOrigin(IPAddress address, string username = "-")
    {
        _address = address;
        Username = username;
        // Random 62-bit id keeps it positive and well within ulong; the version starts equal, as RFC 8866 suggests.
        var id = (ulong)Random.Shared.NextInt64(1, long.MaxValue / 2);
        _sessionId = id.ToString(CultureInfo.InvariantCulture);
        _version = id;
    }

    public string Username { get; }

    /// <summary>The origin to put in the next description; each call after the first increments the version.</summary>
    public SdpOrigin Next()
    {
        lock (_gate)
        {
            if (_issued) _version++;
            _issued = true;
            return new SdpOrigin
            {
                Username = Username,
                SessionId = _sessionId,
                SessionVersion = _version,
                NetworkType = SdpConstants.NetworkTypeInternet,
                AddressType = _address.AddressFamily == AddressFamily.InterNetworkV6 ? SdpConstants.AddressTypeIPv6 : SdpConstants.AddressTypeIPv4,
                UnicastAddress = _address.ToString(),
            };
        }
    }
}

using Pbx.Sip.Transports;

namespace Pbx.Calls.Sip;

/// <summary>How the PBX names itself in requests it sends: Via sent-by, Contact and the host of From/To URIs.</summary>
public interface ISipLocalEndpoints
{
    string Host { get; }

    string Via(SipTransportKind transport, string branch);

    /// <summary>A Contact value (with angle brackets) that reaches us over <paramref name="transport"/>.</summary>
    string Contact(SipTransportKind transport);
}

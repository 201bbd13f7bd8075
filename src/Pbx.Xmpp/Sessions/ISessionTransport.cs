using System.Xml.Linq;
using Pbx.Xmpp.Streams;

namespace Pbx.Xmpp.Sessions;

/// <summary>How a bound session reaches its connection; a seam so modules can be tested without sockets.</summary>
public interface ISessionTransport
{
    /// <summary>Queues a stanza for delivery; false if the connection is gone or too far behind.</summary>
    bool TrySend(XElement stanza);

    /// <summary>Ends the stream with the given stream error (used e.g. to replace a conflicting resource).</summary>
    void Terminate(StreamErrorCondition condition, string? text);
}

using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Sessions;

namespace Pbx.Xmpp.Streams;

/// <summary>Stream Management (XEP-0198): enabling, acks and resumption on this connection.</summary>
internal sealed partial class ClientConnection
{
    private void HandleStreamManagement(XmppSession session, XElement element)
    {
        switch (element.Name.LocalName)
        {
            case "enable":
                EnableStreamManagement(session, element);
                break;
            case "r":
                _output!.TryEnqueue(new XElement(Ns.StreamManagement + "a",
                    new XAttribute("h", session.InboundHandled.ToString(CultureInfo.InvariantCulture))));
                break;
            case "a":
                if (!TryParseHandled(element, out uint handled)) throw new StreamErrorException(StreamErrorCondition.BadFormat, "Invalid 'h'.");
                if (!session.Acknowledge(handled))
                {
                    throw new StreamErrorException(StreamErrorCondition.UndefinedCondition, "handled-count-too-high");
                }
                break;
            default:
                _output!.TryEnqueue(StreamManagementFailure(StanzaErrorCondition.UnexpectedRequest));
                break;
        }
    }

    private void EnableStreamManagement(XmppSession session, XElement enable)
    {
        bool resumable = (string?)enable.Attribute("resume") is "true" or "1";
        string id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        var enabled = new XElement(Ns.StreamManagement + "enabled");
        if (resumable)
        {
            enabled.SetAttributeValue("id", id);
            enabled.SetAttributeValue("resume", "true");
            enabled.SetAttributeValue("max", ((int)Options.StreamResumptionTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        }
        if (!session.EnableStreamManagement(enabled, id, resumable, Options.MaxUnackedStanzas))
        {
            _output!.TryEnqueue(StreamManagementFailure(StanzaErrorCondition.UnexpectedRequest));
            return;
        }
        if (resumable) _core.Lifecycle.RegisterResumable(session);
    }

    private void Resume(XElement resume)
    {
        string? previousId = (string?)resume.Attribute("previd");
        if (previousId is null || !TryParseHandled(resume, out uint handled))
        {
            _output!.TryEnqueue(StreamManagementFailure(StanzaErrorCondition.BadRequest));
            return;
        }
        var session = _core.Lifecycle.ClaimResumable(previousId, _authenticatedUser!);
        if (session is null)
        {
            _output!.TryEnqueue(StreamManagementFailure(StanzaErrorCondition.ItemNotFound));
            return;
        }
        var resumed = new XElement(Ns.StreamManagement + "resumed",
            new XAttribute("previd", previousId),
            new XAttribute("h", session.InboundHandled.ToString(CultureInfo.InvariantCulture)));
        var previous = session.Resume(this, resumed, handled, out bool acknowledged);
        _session = session;
        _negotiationTimer?.Dispose();
        _negotiationTimer = null;
        _core.Lifecycle.RegisterResumable(session);
        if (previous is not null && !ReferenceEquals(previous, this))
        {
            previous.Terminate(StreamErrorCondition.Conflict, "The session was resumed on another connection.");
        }
        if (!acknowledged) throw new StreamErrorException(StreamErrorCondition.UndefinedCondition, "handled-count-too-high");
    }

    private static bool TryParseHandled(XElement element, out uint handled) =>
        uint.TryParse((string?)element.Attribute("h"), NumberStyles.None, CultureInfo.InvariantCulture, out handled);

    private static XElement StreamManagementFailure(StanzaErrorCondition condition) =>
        new(Ns.StreamManagement + "failed", new XElement(Ns.Stanzas + StanzaErrors.ElementName(condition)));
}

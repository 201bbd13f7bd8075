using System.Collections.Concurrent;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Presence;

/// <summary>What a user's phones are doing, as other users' clients should show it (BLF colours).</summary>
public enum PhoneState
{
    /// <summary>At least one device registered and idle (green).</summary>
    Available,
    /// <summary>Being called (yellow).</summary>
    Ringing,
    /// <summary>In a call (red).</summary>
    OnThePhone,
    /// <summary>Rework time after a queue call (blue).</summary>
    WrapUp,
    /// <summary>No device registered (grey).</summary>
    Unavailable,
}

/// <summary>A user's telephony presence with the flags the PBX shows beside the state.</summary>
public sealed record TelephonyState(PhoneState State, bool DoNotDisturb = false, bool AlwaysRedirected = false);

/// <summary>
/// Telephony presence as XMPP presence: the PBX speaks for a virtual resource "phone" of each user, with priority -1
/// (so it never takes a chat message) and an extension element any client can read:
/// <c>&lt;telephony xmlns='urn:pbx:telephony:0' state='on-the-phone' dnd='false' redirected='false'/&gt;</c>.
/// Clients that do not know the element still show a sensible show/status.
/// </summary>
internal sealed class TelephonyPresence(XmppServerContext context)
{
    public const string Resource = "phone";
    public static readonly XNamespace Namespace = "urn:pbx:telephony:0";
    private readonly ConcurrentDictionary<string, TelephonyState> _states = new(StringComparer.Ordinal);

    /// <returns>False when the state is what was already published.</returns>
    public bool Update(string user, TelephonyState state)
    {
        var previous = _states.TryGetValue(user, out var known) ? known : null;
        _states[user] = state;
        return previous != state;
    }

    /// <summary>The current presence to show for the user's phone, or null when there is nothing to show.</summary>
    public XElement? CurrentPresence(string user) =>
        _states.TryGetValue(user, out var state) && state.State != PhoneState.Unavailable ? Build(user, state) : null;

    public XElement Build(string user, TelephonyState state)
    {
        var from = Jid.Create(user, context.Domain.Domain, Resource).ToString();
        if (state.State == PhoneState.Unavailable)
            return new XElement(Stanza.Presence, new XAttribute("type", "unavailable"), new XAttribute("from", from));
        var (show, status) = state.State switch
        {
            PhoneState.Ringing => ((string?)null, "Ringing"),
            PhoneState.OnThePhone => ("dnd", "On the phone"),
            PhoneState.WrapUp => ("away", "Wrap-up"),
            _ => (state.DoNotDisturb ? "dnd" : null, state.DoNotDisturb ? "Phone: do not disturb" : "Phone available"),
        };
        return new XElement(Stanza.Presence,
            new XAttribute("from", from),
            show is null ? null : new XElement(Ns.Client + "show", show),
            new XElement(Ns.Client + "status", status),
            new XElement(Ns.Client + "priority", "-1"),
            new XElement(Namespace + "telephony",
                new XAttribute("state", Name(state.State)),
                new XAttribute("dnd", state.DoNotDisturb ? "true" : "false"),
                new XAttribute("redirected", state.AlwaysRedirected ? "true" : "false")));
    }

    public static string Name(PhoneState state) => state switch
    {
        PhoneState.Available => "available",
        PhoneState.Ringing => "ringing",
        PhoneState.OnThePhone => "on-the-phone",
        PhoneState.WrapUp => "wrap-up",
        _ => "unavailable",
    };
}

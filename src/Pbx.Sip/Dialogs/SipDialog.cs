using Pbx.Sip.Messages;
using Pbx.Sip.Transports;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Dialogs;

/// <summary>
/// One dialog's state (RFC 3261 §12.1): identity, local and remote URI, CSeqs, remote target, route set, secure flag.
/// Thread-safe: the mutable parts change under a lock; URIs and routes handed out are views over arrays that are never
/// written again, so they stay valid after a target refresh replaces them. Created by <see cref="TryCreateAsUas"/> or
/// <see cref="TryCreateAsUac"/>, then kept in a <see cref="DialogTable"/>, which is also what ends it.
/// </summary>
public sealed partial class SipDialog
{
    private readonly Lock _sync = new();
    private readonly byte[] _localAddress;
    private readonly byte[] _remoteAddress;
    private DialogState _state;
    private uint _localCSeq;
    private bool _hasLocalCSeq;
    private uint _remoteCSeq;
    private bool _hasRemoteCSeq;
    private uint _lastInviteCSeq;
    private bool _hasInvite;
    private SipUri _remoteTarget;
    private NameAddress[] _routeSet;

    private SipDialog(DialogId id, DialogRole role, DialogState state, in NameAddress local, in NameAddress remote,
        SipUri remoteTarget, NameAddress[] routeSet, bool secure)
    {
        Id = id;
        Role = role;
        _state = state;
        LocalUri = OwnedValues.CopyUri(local.Uri);
        RemoteUri = OwnedValues.CopyUri(remote.Uri);
        _localAddress = OwnedValues.AddressWithoutTag(local);
        _remoteAddress = OwnedValues.AddressWithoutTag(remote);
        _remoteTarget = remoteTarget;
        _routeSet = routeSet;
        IsSecure = secure;
    }

    public DialogId Id { get; }

    public ReadOnlySpan<byte> CallId => Id.CallId;

    public ReadOnlySpan<byte> LocalTag => Id.LocalTag;

    public ReadOnlySpan<byte> RemoteTag => Id.RemoteTag;

    public DialogRole Role { get; }

    /// <summary>Set by <see cref="DialogTable.TryAdd"/>; the table drops all dialogs of one owner at once.</summary>
    public object? Owner { get; internal set; }

    public DialogState State
    {
        get
        {
            lock (_sync) return _state;
        }
    }

    /// <summary>From-URI of requests we send (RFC 3261 §12.1.1/§12.1.2 local URI).</summary>
    public SipUri LocalUri { get; }

    /// <summary>To-URI of requests we send.</summary>
    public SipUri RemoteUri { get; }

    /// <summary>True when the dialog was set up with a SIPS Request-URI over TLS (RFC 3261 §12.1.1).</summary>
    public bool IsSecure { get; }

    /// <summary>Where in-dialog requests go (the peer's Contact), replaced by target refreshes.</summary>
    public SipUri RemoteTarget
    {
        get
        {
            lock (_sync) return _remoteTarget;
        }
    }

    /// <summary>Route set, first hop first. Fixed once the dialog is confirmed (RFC 3261 §12.2).</summary>
    public ReadOnlySpan<NameAddress> RouteSet => Volatile.Read(ref _routeSet);

    /// <summary>CSeq of the last request we sent in the dialog, or null before the first one (UAS side).</summary>
    public uint? LocalCSeq
    {
        get
        {
            lock (_sync) return _hasLocalCSeq ? _localCSeq : null;
        }
    }

    /// <summary>CSeq of the last request the peer sent, or null before the first one (UAC side).</summary>
    public uint? RemoteCSeq
    {
        get
        {
            lock (_sync) return _hasRemoteCSeq ? _remoteCSeq : null;
        }
    }

    /// <summary>CSeq of our last INVITE in this dialog; ACK for its 2xx and a CANCEL of it reuse the number.</summary>
    public uint? LastInviteCSeq
    {
        get
        {
            lock (_sync) return _hasInvite ? _lastInviteCSeq : null;
        }
    }

    /// <summary>
    /// UAS side (RFC 3261 §12.1.1): the dialog a response with To-tag <paramref name="localTag"/> to
    /// <paramref name="request"/> creates. Route set = Record-Route of the request in order, remote target = its Contact.
    /// The state is <see cref="DialogState.Early"/> for a 1xx, <see cref="DialogState.Confirmed"/> for a 2xx.
    /// Copy the Record-Routes into that response with <see cref="DialogResponseHeaders.WriteRecordRoutes"/>.
    /// </summary>
    public static SipDialog? TryCreateAsUas(SipMessage request, ReadOnlySpan<byte> localTag, SipFlow receivedOver,
        DialogState state, out DialogCreateError error)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state == DialogState.Terminated) throw new ArgumentOutOfRangeException(nameof(state), state, "A new dialog is early or confirmed.");
        error = Validate(request);
        if (error != DialogCreateError.None) return null;
        if (request.To.HasTag)
        {
            // A To-tag means the peer thinks the dialog exists already (RFC 3261 §12.2.2): that request gets 481, not a new dialog.
            error = DialogCreateError.NotDialogCreating;
            return null;
        }
        if (localTag.IsEmpty)
        {
            error = DialogCreateError.MissingLocalTag;
            return null;
        }
        if (!OwnedValues.TryGetContactUri(request, out var target))
        {
            error = DialogCreateError.MissingContact;
            return null;
        }
        if (!OwnedValues.TryReadRouteSet(request, reverse: false, out var routes))
        {
            error = DialogCreateError.MalformedRecordRoute;
            return null;
        }
        // An RFC 2543 peer may send no From-tag: the remote tag is then empty (RFC 3261 §12.1.1).
        var id = new DialogId(request.CallId, localTag, request.From.Tag);
        var dialog = new SipDialog(id, DialogRole.Uas, state, request.To, request.From, target, routes,
            SetUpSecurely(request, receivedOver));
        dialog._remoteCSeq = request.CSeq.Number;
        dialog._hasRemoteCSeq = true;
        return dialog;
    }

    /// <summary>
    /// UAC side (RFC 3261 §12.1.2): the dialog a 1xx with To-tag (early) or a 2xx (confirmed) to our
    /// <paramref name="request"/> creates. Route set = Record-Route of the response reversed, remote target = its Contact.
    /// </summary>
    public static SipDialog? TryCreateAsUac(SipMessage request, SipMessage response, SipFlow sentOver, out DialogCreateError error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        error = Validate(request);
        if (error != DialogCreateError.None) return null;
        int status = response.StatusCode;
        if (!response.IsResponse || status is <= 100 or >= 300)
        {
            error = DialogCreateError.NotDialogCreatingResponse;
            return null;
        }
        if (!request.From.HasTag || request.From.Tag.IsEmpty)
        {
            error = DialogCreateError.MissingLocalTag;
            return null;
        }
        // A 2xx from an RFC 2543 UAS may lack the To-tag; a provisional response without one makes no dialog.
        if (status < 200 && !response.To.HasTag)
        {
            error = DialogCreateError.MissingRemoteTag;
            return null;
        }
        if (!OwnedValues.TryGetContactUri(response, out var target))
        {
            // Many phones send 180 without Contact. The early dialog still matters for matching and for the 2xx that
            // follows (which must carry a Contact and then sets the target); until then the Request-URI is the target.
            if (status >= 200)
            {
                error = DialogCreateError.MissingContact;
                return null;
            }
            target = OwnedValues.CopyUri(request.RequestUri);
        }
        if (!OwnedValues.TryReadRouteSet(response, reverse: true, out var routes))
        {
            error = DialogCreateError.MalformedRecordRoute;
            return null;
        }
        var id = new DialogId(request.CallId, request.From.Tag, response.To.Tag);
        var state = status < 200 ? DialogState.Early : DialogState.Confirmed;
        var dialog = new SipDialog(id, DialogRole.Uac, state, request.From, request.To, target, routes, SetUpSecurely(request, sentOver));
        dialog._localCSeq = request.CSeq.Number;
        dialog._hasLocalCSeq = true;
        if (request.Method == SipMethod.Invite)
        {
            dialog._lastInviteCSeq = request.CSeq.Number;
            dialog._hasInvite = true;
        }
        return dialog;
    }

    /// <summary>UAS side: our 2xx confirms a dialog an earlier 1xx made early. False when it was not early.</summary>
    public bool Confirm()
    {
        lock (_sync)
        {
            if (_state != DialogState.Early) return false;
            _state = DialogState.Confirmed;
            return true;
        }
    }

    /// <summary>Only the table ends a dialog, so that no terminated dialog stays findable.</summary>
    internal void MarkTerminated()
    {
        lock (_sync) _state = DialogState.Terminated;
    }

    private static DialogCreateError Validate(SipMessage request) =>
        request.IsRequest && request.Method is SipMethod.Invite or SipMethod.Subscribe or SipMethod.Refer
            ? DialogCreateError.None
            : DialogCreateError.NotDialogCreating;

    private static bool SetUpSecurely(SipMessage request, SipFlow flow) =>
        request.RequestUri.Scheme == UriScheme.Sips && flow.Transport is SipTransportKind.Tls or SipTransportKind.Wss;

    public override string ToString() => $"{Role} dialog {Id} {State}";
}

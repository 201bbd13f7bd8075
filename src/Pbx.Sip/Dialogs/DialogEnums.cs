namespace Pbx.Sip.Dialogs;

/// <summary>RFC 3261 §12: a dialog is early (created by a provisional response) or confirmed (by a 2xx).</summary>
public enum DialogState : byte
{
    Early,
    Confirmed,

    /// <summary>Removed from its table; requests for it get 481 and nothing more is built from it.</summary>
    Terminated,
}

/// <summary>Which side of the dialog-creating request we were on.</summary>
public enum DialogRole : byte
{
    /// <summary>We sent the dialog-creating request.</summary>
    Uac,

    /// <summary>We received the dialog-creating request and answered it.</summary>
    Uas,
}

/// <summary>Why a dialog could not be created from a request/response pair.</summary>
public enum DialogCreateError : byte
{
    None,

    /// <summary>Only INVITE, SUBSCRIBE and REFER without a To-tag create dialogs here.</summary>
    NotDialogCreating,

    /// <summary>Dialogs come from 101-199 responses with a To-tag and from 2xx responses only.</summary>
    NotDialogCreatingResponse,

    /// <summary>The dialog-creating message has no usable Contact (missing, wildcard or not a URI we can send to).</summary>
    MissingContact,

    /// <summary>Our local tag is missing: the UAC's From-tag, or the To-tag the UAS passes in.</summary>
    MissingLocalTag,

    /// <summary>A provisional response without a To-tag cannot create an early dialog (RFC 3261 §12.1).</summary>
    MissingRemoteTag,

    /// <summary>A Record-Route value did not parse as a name-addr.</summary>
    MalformedRecordRoute,
}

/// <summary>What the owner does with an incoming in-dialog request after <see cref="SipDialog.CheckIncomingRequest"/>.</summary>
public enum InDialogRequestVerdict : byte
{
    /// <summary>Process it; the remote CSeq (and, for a target refresh, the remote target) were updated.</summary>
    Accept,

    /// <summary>CSeq lower than the last one from the peer: answer 500 (RFC 3261 §12.2.2).</summary>
    RejectOutOfOrder,

    /// <summary>The dialog is gone: answer 481 Call/Transaction Does Not Exist.</summary>
    RejectTerminated,
}

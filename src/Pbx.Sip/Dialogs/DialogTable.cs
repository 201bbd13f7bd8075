using System.Collections.Concurrent;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Dialogs;

/// <summary>
/// The dialogs of one user agent (RFC 3261 §12.2.2 matching). Lookups are lock-free and do not allocate: they search
/// with spans of the received message. Every dialog belongs to an owner (the B2BUA call, a subscription...) so that
/// <see cref="TerminateAll"/> can drop all of them when the owner ends, whatever state they reached; adding and
/// removing share one lock so that an owner's list and the table never disagree.
/// </summary>
public sealed class DialogTable
{
    private readonly ConcurrentDictionary<DialogId, SipDialog> _dialogs = new(DialogIdComparer.Instance);
    private readonly ConcurrentDictionary<DialogId, SipDialog>.AlternateLookup<DialogIdView> _byView;
    private readonly Lock _sync = new();
    private readonly Dictionary<object, List<SipDialog>> _byOwner = new(ReferenceEqualityComparer.Instance);

    public DialogTable()
    {
        _byView = _dialogs.GetAlternateLookup<DialogIdView>();
    }

    public int Count => _dialogs.Count;

    /// <summary>Adds a new dialog for <paramref name="owner"/>; false when a dialog with the same id is already there.</summary>
    public bool TryAdd(SipDialog dialog, object owner)
    {
        ArgumentNullException.ThrowIfNull(dialog);
        ArgumentNullException.ThrowIfNull(owner);
        lock (_sync)
        {
            if (dialog.Owner is not null || dialog.State == DialogState.Terminated)
            {
                throw new InvalidOperationException("A dialog goes into one table once.");
            }
            if (!_dialogs.TryAdd(dialog.Id, dialog)) return false;
            dialog.Owner = owner;
            if (!_byOwner.TryGetValue(owner, out var list))
            {
                list = new List<SipDialog>(2);
                _byOwner.Add(owner, list);
            }
            list.Add(dialog);
            return true;
        }
    }

    public SipDialog? Find(DialogIdView id) => _byView.TryGetValue(id, out var dialog) ? dialog : null;

    public SipDialog? Find(in DialogId id) => _dialogs.TryGetValue(id, out var dialog) ? dialog : null;

    /// <summary>The dialog of an incoming request: Call-ID, To-tag (ours), From-tag (theirs). Null without a To-tag.</summary>
    public SipDialog? FindForRequest(SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.To.HasTag) return null;
        return Find(new DialogIdView(request.CallId, request.To.Tag, request.From.Tag));
    }

    /// <summary>The dialog of an incoming response: Call-ID, From-tag (ours), To-tag (theirs).</summary>
    public SipDialog? FindForResponse(SipMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.From.HasTag) return null;
        return Find(new DialogIdView(response.CallId, response.From.Tag, response.To.Tag));
    }

    /// <summary>
    /// UAC side of a dialog-creating request (INVITE, SUBSCRIBE, REFER) we sent: call for every response to it.
    /// Each 1xx with a new To-tag makes another early dialog (forking, RFC 3261 §12.1.2); a 2xx confirms the matching
    /// early dialog or makes a confirmed one; a final failure ends the early dialogs of the request
    /// (§13.2.2.3). Returns the dialog of this response, or null with the reason in <paramref name="error"/>
    /// (<see cref="DialogCreateError.None"/> after a failure ended the early dialogs).
    /// Stop calling it once the owner has ended the call: a late 2xx retransmission (the INVITE client transaction
    /// passes them up until Timer M) would otherwise make a new dialog for an owner that no longer cleans up.
    /// </summary>
    public SipDialog? ApplyUacResponse(SipMessage request, SipMessage response, SipFlow sentOver, object owner, out DialogCreateError error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(owner);
        if (response.StatusCode <= 100)
        {
            error = DialogCreateError.NotDialogCreatingResponse;
            return null;
        }
        if (response.StatusCode >= 300)
        {
            TerminateEarly(owner, request.CallId, request.From.Tag);
            error = DialogCreateError.None;
            return null;
        }
        var existing = FindForResponse(response);
        if (existing is not null)
        {
            existing.ApplyResponse(response);
            error = DialogCreateError.None;
            return existing;
        }
        var created = SipDialog.TryCreateAsUac(request, response, sentOver, out error);
        if (created is null) return null;
        if (TryAdd(created, owner)) return created;
        // Another thread got the same response (a retransmission) in first.
        existing = FindForResponse(response);
        existing?.ApplyResponse(response);
        return existing;
    }

    /// <summary>Removes and terminates a dialog (BYE done, early dialog failed, ...). False when it was not in the table.</summary>
    public bool Terminate(SipDialog dialog)
    {
        ArgumentNullException.ThrowIfNull(dialog);
        lock (_sync)
        {
            dialog.MarkTerminated();
            if (!_dialogs.TryRemove(new KeyValuePair<DialogId, SipDialog>(dialog.Id, dialog))) return false;
            if (dialog.Owner is { } owner && _byOwner.TryGetValue(owner, out var list))
            {
                list.Remove(dialog);
                if (list.Count == 0) _byOwner.Remove(owner);
            }
            return true;
        }
    }

    /// <summary>Removes and terminates every dialog of an owner (the call is over); returns how many there were.</summary>
    public int TerminateAll(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        lock (_sync)
        {
            if (!_byOwner.Remove(owner, out var list)) return 0;
            foreach (var dialog in list)
            {
                dialog.MarkTerminated();
                _dialogs.TryRemove(new KeyValuePair<DialogId, SipDialog>(dialog.Id, dialog));
            }
            return list.Count;
        }
    }

    /// <summary>A snapshot of the dialogs an owner has (e.g. the early dialogs of a forked INVITE to BYE after the first 2xx).</summary>
    public SipDialog[] GetDialogs(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        lock (_sync) return _byOwner.TryGetValue(owner, out var list) ? list.ToArray() : [];
    }

    private void TerminateEarly(object owner, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> localTag)
    {
        lock (_sync)
        {
            if (!_byOwner.TryGetValue(owner, out var list)) return;
            for (int i = list.Count - 1; i >= 0; i--)
            {
                var dialog = list[i];
                if (dialog.State != DialogState.Early || !dialog.CallId.SequenceEqual(callId) || !dialog.LocalTag.SequenceEqual(localTag)) continue;
                dialog.MarkTerminated();
                _dialogs.TryRemove(new KeyValuePair<DialogId, SipDialog>(dialog.Id, dialog));
                list.RemoveAt(i);
            }
            if (list.Count == 0) _byOwner.Remove(owner);
        }
    }
}

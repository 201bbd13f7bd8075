using System.Buffers;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Uris;

namespace Pbx.Sip.Dialogs;

public sealed partial class SipDialog
{
    /// <summary>
    /// Builds a request within the dialog (RFC 3261 §12.2.1.1) into a pooled buffer the caller disposes once sent.
    /// Request-URI and Route follow the route set: loose routing (first route has ;lr) sends to the remote target with
    /// the route set as Route; strict routing puts the first route in the Request-URI and appends the remote target
    /// to the remaining routes. The local CSeq goes up by one, except for ACK and CANCEL, which reuse the CSeq of our
    /// last INVITE. Send to <see cref="ResolveNextHop"/>; ACK for a 2xx goes without a transaction.
    /// </summary>
    /// <param name="method">BYE, INVITE (re-INVITE), UPDATE, INFO, REFER, NOTIFY, ACK, PRACK, OPTIONS, MESSAGE, CANCEL...</param>
    /// <param name="via">
    /// The whole Via value: the transport decides the sent-by, the caller a fresh branch (also for ACK to a 2xx, which
    /// is a transaction of its own). A CANCEL must repeat the INVITE's Via; <c>SipRequestFactory.WriteCancel</c> builds
    /// one from the INVITE itself and is usually simpler.
    /// </param>
    /// <param name="contact">Contact value (e.g. "&lt;sip:pbx@192.0.2.1:5060&gt;"); required for INVITE, written when given.</param>
    /// <param name="body">Message body, empty for none.</param>
    /// <param name="contentType">Content-Type of a non-empty body.</param>
    /// <param name="headers">Further headers (Allow, Supported, Refer-To, Event, ...), written before the body.</param>
    public PooledBufferWriter CreateRequest(SipMethod method, ReadOnlySpan<byte> via, ReadOnlySpan<byte> contact = default,
        ReadOnlySpan<byte> body = default, ReadOnlySpan<byte> contentType = default, SipHeaderWriter? headers = null)
    {
        if (method == SipMethod.Unknown) throw new ArgumentOutOfRangeException(nameof(method), method, "Extension methods are not built here.");
        if (via.IsEmpty) throw new ArgumentException("A Via value is required.", nameof(via));
        if (method == SipMethod.Invite && contact.IsEmpty) throw new ArgumentException("An INVITE needs a Contact (RFC 3261 §8.1.1.8).", nameof(contact));
        if (!body.IsEmpty && contentType.IsEmpty) throw new ArgumentException("A body needs a Content-Type.", nameof(contentType));

        var snapshot = TakeRequestSnapshot(method);
        var buffer = new PooledBufferWriter(512 + body.Length + _localAddress.Length + _remoteAddress.Length + CallId.Length);
        try
        {
            WriteRequest(new SipMessageWriter(buffer), method, snapshot, via, contact, body, contentType, headers);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Next hop for requests in this dialog: the first route, or the remote target when there is none (RFC 3261 §12.2.1.1, §8.1.2).</summary>
    public NextHop ResolveNextHop()
    {
        var routes = Volatile.Read(ref _routeSet);
        return routes.Length > 0 ? NextHop.Resolve(routes[0].Uri) : NextHop.Resolve(RemoteTarget);
    }

    private readonly record struct RequestSnapshot(uint CSeq, SipUri RemoteTarget, NameAddress[] Routes);

    // CSeq, target and routes in one consistent step; the writing happens outside the lock so a header callback
    // that reads the dialog cannot block other threads on it.
    private RequestSnapshot TakeRequestSnapshot(SipMethod method)
    {
        lock (_sync)
        {
            if (_state == DialogState.Terminated) throw new InvalidOperationException("The dialog is terminated.");
            uint cseq;
            if (method is SipMethod.Ack or SipMethod.Cancel)
            {
                if (!_hasInvite) throw new InvalidOperationException($"{method} needs an INVITE sent in this dialog first.");
                cseq = _lastInviteCSeq;
            }
            else
            {
                if (!_hasLocalCSeq)
                {
                    // RFC 3261 §8.1.1.5 only asks for a value below 2^31; 1 keeps traces readable.
                    cseq = 1;
                }
                else if (_localCSeq == uint.MaxValue)
                {
                    throw new InvalidOperationException("The local CSeq is exhausted.");
                }
                else
                {
                    cseq = _localCSeq + 1;
                }
                _localCSeq = cseq;
                _hasLocalCSeq = true;
                if (method == SipMethod.Invite)
                {
                    _lastInviteCSeq = cseq;
                    _hasInvite = true;
                }
            }
            return new RequestSnapshot(cseq, _remoteTarget, _routeSet);
        }
    }

    private void WriteRequest(SipMessageWriter writer, SipMethod method, in RequestSnapshot snapshot, ReadOnlySpan<byte> via,
        ReadOnlySpan<byte> contact, ReadOnlySpan<byte> body, ReadOnlySpan<byte> contentType, SipHeaderWriter? headers)
    {
        var routes = snapshot.Routes;
        bool strict = routes.Length > 0 && !routes[0].Uri.HasParameter("lr"u8);
        WriteRequestLine(writer, method, strict ? routes[0].Uri : snapshot.RemoteTarget);
        writer.WriteHeader(HeaderKind.Via, via);
        writer.WriteHeader(HeaderKind.MaxForwards, 70);
        if (strict)
        {
            // RFC 3261 §12.2.1.1: the rest of the route set, then the remote target as the last Route.
            for (int i = 1; i < routes.Length; i++) writer.WriteHeader(HeaderKind.Route, routes[i].Raw);
            writer.BeginHeader(HeaderKind.Route);
            writer.WriteValuePart("<"u8);
            writer.WriteValuePart(snapshot.RemoteTarget.Raw);
            writer.WriteValuePart(">"u8);
            writer.EndHeader();
        }
        else
        {
            foreach (var route in routes) writer.WriteHeader(HeaderKind.Route, route.Raw);
        }
        WriteAddress(writer, HeaderKind.From, _localAddress, LocalTag);
        WriteAddress(writer, HeaderKind.To, _remoteAddress, RemoteTag);
        writer.WriteHeader(HeaderKind.CallId, CallId);
        writer.WriteCSeq(snapshot.CSeq, SipMethods.GetName(method));
        if (!contact.IsEmpty) writer.WriteHeader(HeaderKind.Contact, contact);
        headers?.Invoke(writer);
        writer.WriteBody(body, body.IsEmpty ? default : contentType);
    }

    private static void WriteAddress(SipMessageWriter writer, HeaderKind kind, ReadOnlySpan<byte> address, ReadOnlySpan<byte> tag)
    {
        writer.BeginHeader(kind);
        writer.WriteValuePart(address);
        if (!tag.IsEmpty)
        {
            writer.WriteValuePart(";tag="u8);
            writer.WriteValuePart(tag);
        }
        writer.EndHeader();
    }

    /// <summary>
    /// The Request-URI without what a Request-URI may not carry (RFC 3261 §19.1.1 table: URI headers and the method
    /// parameter), which a Contact or Record-Route URI may have.
    /// </summary>
    private static void WriteRequestLine(SipMessageWriter writer, SipMethod method, in SipUri uri)
    {
        var raw = uri.Raw;
        if (!uri.IsSipOrSips || (!uri.HasHeaders && !uri.HasParameter("method"u8)))
        {
            writer.WriteRequestLine(method, raw);
            return;
        }
        byte[] rented = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            int length = WithoutRequestUriExtras(uri, rented);
            writer.WriteRequestLine(method, rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WithoutRequestUriExtras(in SipUri uri, Span<byte> destination)
    {
        var raw = uri.Raw;
        var parameters = uri.Parameters;
        int end = raw.Length;
        if (uri.HasHeaders && raw.Overlaps(uri.Headers, out int headersOffset)) end = headersOffset - 1;
        if (parameters.IsEmpty || !raw.Overlaps(parameters, out int parametersOffset))
        {
            raw[..end].CopyTo(destination);
            return end;
        }
        // Everything before the ';' that opens the parameters, then each parameter but "method".
        int written = parametersOffset - 1;
        raw[..written].CopyTo(destination);
        var e = uri.EnumerateParameters();
        while (e.MoveNext(out var name, out var value))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(name, "method"u8)) continue;
            destination[written++] = (byte)';';
            name.CopyTo(destination[written..]);
            written += name.Length;
            if (value.IsEmpty) continue;
            destination[written++] = (byte)'=';
            value.CopyTo(destination[written..]);
            written += value.Length;
        }
        return written;
    }
}

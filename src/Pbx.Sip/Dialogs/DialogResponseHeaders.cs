using Pbx.Sip.Messages;

namespace Pbx.Sip.Dialogs;

/// <summary>Headers a UAS adds to the responses that create dialogs.</summary>
public static class DialogResponseHeaders
{
    /// <summary>
    /// Copies every Record-Route of the request, in order and unchanged (RFC 3261 §12.1.1), so the UAC gets the same
    /// route set; pass it as the header writer of <c>ServerTransaction.SendResponse</c> for 1xx-with-tag and 2xx.
    /// </summary>
    public static void WriteRecordRoutes(SipMessageWriter writer, SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (int i = 0; i < request.HeaderCount; i++)
        {
            var header = request.GetHeader(i);
            if (header.Kind == HeaderKind.RecordRoute) writer.WriteHeader(HeaderKind.RecordRoute, header.Value);
        }
    }
}

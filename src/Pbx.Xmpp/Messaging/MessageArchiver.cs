using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;
using Pbx.Xmpp.Server;

namespace Pbx.Xmpp.Messaging;

/// <summary>Writes 1:1 chat messages to the host's archive and stamps them with a stanza-id (XEP-0359).</summary>
internal sealed class MessageArchiver(XmppServerContext context)
{
    private readonly ArchiveIds _ids = new(context.Time);

    public static bool IsArchivable(XElement message)
    {
        string type = message.Type() ?? "normal";
        return (type == "chat" || type == "normal")
               && message.Element(Ns.Client + "body") is not null
               && message.Element(Ns.Hints + "no-store") is null
               && message.Element(Ns.Hints + "no-permanent-store") is null;
    }

    /// <summary>Archives the message and returns its archive id, or null if it is not archivable.</summary>
    public async ValueTask<string?> ArchiveAsync(XElement message, Jid from, Jid to, CancellationToken cancellationToken)
    {
        if (!IsArchivable(message)) return null;
        // A client must not be able to inject ids that look like ours (XEP-0359 §5).
        message.Elements(Ns.StanzaId + "stanza-id").Remove();
        var id = _ids.Next();
        var record = new ChatArchiveRecord(
            id,
            context.Time.GetUtcNow(),
            from.Bare.ToString(),
            to.Bare.ToString(),
            message.Element(Ns.Client + "body")?.Value,
            message.ToString(SaveOptions.DisableFormatting));
        try
        {
            await context.Archive.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The message still goes out: losing a journal line is bad, losing the message itself is worse.
            XmppLog.ArchiveFailed(context.Logger, from.Bare.ToString(), to.Bare.ToString(), ex.Message);
            return null;
        }
        return id;
    }

    public static void StampStanzaId(XElement message, string archiveId, Jid archiveOwner) =>
        message.Add(new XElement(Ns.StanzaId + "stanza-id",
            new XAttribute("id", archiveId),
            new XAttribute("by", archiveOwner.Bare.ToString())));
}

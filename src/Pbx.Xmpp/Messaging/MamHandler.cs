using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Pbx.Xmpp.Core;
using Pbx.Xmpp.Routing;

namespace Pbx.Xmpp.Messaging;

/// <summary>Message Archive Management (XEP-0313, urn:xmpp:mam:2) over the host's chat archive, paged with RSM (XEP-0059).</summary>
internal sealed class MamHandler(XmppServerContext context) : IIqHandler
{
    private const int DefaultPageSize = 50;

    public IEnumerable<XName> Payloads => [Ns.Mam + "query"];

    public IEnumerable<string> ServerFeatures => [];

    public IEnumerable<string> AccountFeatures => [Ns.Mam.NamespaceName];

    public async ValueTask HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        if (!request.TargetsOwnAccount)
        {
            request.Error(StanzaErrorCondition.Forbidden, "Only your own archive can be queried.");
            return;
        }
        if (request.IsGet)
        {
            request.Reply(new XElement(Ns.Mam + "query", SearchForm()));
            return;
        }
        if (!TryParseQuery(request, out var query, out var error))
        {
            request.Error(StanzaErrorCondition.BadRequest, error);
            return;
        }
        var page = await context.Archive.QueryAsync(query, cancellationToken).ConfigureAwait(false);
        string? queryId = (string?)request.Payload.Attribute("queryid");
        foreach (var record in page.Records)
        {
            if (ToResultMessage(request, record, queryId) is { } message) request.Sender.Send(message);
        }
        var set = new XElement(Ns.Rsm + "set");
        if (page.Records.Count > 0)
        {
            set.Add(new XElement(Ns.Rsm + "first", page.Records[0].Id), new XElement(Ns.Rsm + "last", page.Records[^1].Id));
        }
        set.Add(new XElement(Ns.Rsm + "count", page.TotalCount.ToString(CultureInfo.InvariantCulture)));
        var fin = new XElement(Ns.Mam + "fin", set);
        if (page.Complete) fin.SetAttributeValue("complete", "true");
        request.Reply(fin);
    }

    private bool TryParseQuery(IqRequest request, out ChatArchiveQuery query, out string? error)
    {
        query = null!;
        error = null;
        string? with = null;
        DateTimeOffset? start = null, end = null;
        foreach (var field in request.Payload.Element(Ns.DataForms + "x")?.Elements(Ns.DataForms + "field") ?? [])
        {
            string? value = field.Element(Ns.DataForms + "value")?.Value;
            switch ((string?)field.Attribute("var"))
            {
                case "with":
                    if (!Jid.TryParse(value, out var withJid)) { error = "Invalid 'with'."; return false; }
                    with = withJid.Bare.ToString();
                    break;
                case "start":
                    if (!TryParseTime(value, out var startTime)) { error = "Invalid 'start'."; return false; }
                    start = startTime;
                    break;
                case "end":
                    if (!TryParseTime(value, out var endTime)) { error = "Invalid 'end'."; return false; }
                    end = endTime;
                    break;
            }
        }
        var set = request.Payload.Element(Ns.Rsm + "set");
        int max = DefaultPageSize;
        if (set?.Element(Ns.Rsm + "max") is { } maxElement
            && (!int.TryParse(maxElement.Value, NumberStyles.None, CultureInfo.InvariantCulture, out max)))
        {
            error = "Invalid RSM max.";
            return false;
        }
        max = Math.Min(max, context.Options.MaxArchivePageSize);
        var before = set?.Element(Ns.Rsm + "before");
        string? after = set?.Element(Ns.Rsm + "after")?.Value;
        query = new ChatArchiveQuery(
            request.Sender.BareJid.ToString(),
            with,
            start,
            end,
            string.IsNullOrEmpty(after) ? null : after,
            string.IsNullOrEmpty(before?.Value) ? null : before.Value,
            FromEnd: before is not null,
            max);
        return true;
    }

    private static bool TryParseTime(string? value, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    private static XElement? ToResultMessage(IqRequest request, ChatArchiveRecord record, string? queryId)
    {
        var original = ParseStored(record.StanzaXml);
        if (original is null) return null;
        var result = new XElement(Ns.Mam + "result",
            new XAttribute("id", record.Id),
            new XElement(Ns.Forward + "forwarded",
                new XElement(Ns.Delay + "delay",
                    new XAttribute("stamp", record.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))),
                original));
        if (queryId is not null) result.SetAttributeValue("queryid", queryId);
        return new XElement(Stanza.Message,
            new XAttribute("from", request.Sender.BareJid.ToString()),
            new XAttribute("to", request.Sender.FullJid.ToString()),
            new XAttribute("id", Stanza.NewId()),
            result);
    }

    /// <summary>The archive lives outside this process, so its XML is parsed as untrusted input.</summary>
    private static XElement? ParseStored(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                CheckCharacters = true,
            });
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static XElement SearchForm() =>
        new(Ns.DataForms + "x",
            new XAttribute("type", "form"),
            new XElement(Ns.DataForms + "field",
                new XAttribute("var", "FORM_TYPE"), new XAttribute("type", "hidden"),
                new XElement(Ns.DataForms + "value", Ns.Mam.NamespaceName)),
            new XElement(Ns.DataForms + "field", new XAttribute("var", "with"), new XAttribute("type", "jid-single")),
            new XElement(Ns.DataForms + "field", new XAttribute("var", "start"), new XAttribute("type", "text-single")),
            new XElement(Ns.DataForms + "field", new XAttribute("var", "end"), new XAttribute("type", "text-single")));
}

using System.Xml;
using System.Xml.Linq;
using Pbx.Xmpp.Core;

namespace Pbx.Xmpp.Streams;

/// <summary>
/// Pulls one top-level element at a time out of an XMPP stream. Elements are assembled node by
/// node instead of with XElement.Load because Load reads one node past the end tag, which would
/// stall until the peer sends its next stanza.
/// </summary>
internal sealed class XmppStreamReader : IDisposable
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";
    private const int MaxDepth = 64;

    private readonly XmlReader _reader;
    private readonly GuardedStream _source;
    private readonly long _maxStanzaBytes;

    public XmppStreamReader(GuardedStream source, long maxStanzaBytes)
    {
        _source = source;
        _maxStanzaBytes = maxStanzaBytes;
        _reader = XmlReader.Create(source, CreateSettings());
    }

    internal static XmlReaderSettings CreateSettings() => new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        CheckCharacters = true,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        IgnoreWhitespace = false,
        ConformanceLevel = ConformanceLevel.Document,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = 0,
        CloseInput = false,
    };

    /// <summary>Reads up to and including the opening stream tag.</summary>
    public async Task<StreamHeader> ReadHeaderAsync()
    {
        _source.ResetBudget(_maxStanzaBytes);
        while (await ReadNodeAsync().ConfigureAwait(false))
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.XmlDeclaration:
                    var encoding = _reader.GetAttribute("encoding");
                    if (encoding is not null && !encoding.Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new StreamErrorException(StreamErrorCondition.UnsupportedEncoding);
                    }
                    break;
                case XmlNodeType.Whitespace:
                    break;
                case XmlNodeType.Element:
                    return ParseHeader();
                case XmlNodeType.Comment:
                case XmlNodeType.ProcessingInstruction:
                case XmlNodeType.DocumentType:
                    throw new StreamErrorException(StreamErrorCondition.RestrictedXml);
                default:
                    throw new StreamErrorException(StreamErrorCondition.NotWellFormed);
            }
        }
        throw new EndOfStreamException();
    }

    private StreamHeader ParseHeader()
    {
        if (_reader.LocalName != "stream" || _reader.NamespaceURI != Ns.Stream.NamespaceName)
        {
            throw new StreamErrorException(StreamErrorCondition.InvalidNamespace);
        }
        if (_reader.IsEmptyElement)
        {
            throw new StreamErrorException(StreamErrorCondition.BadFormat, "Empty stream element.");
        }
        string? defaultNamespace = _reader.GetAttribute("xmlns");
        if (defaultNamespace != Ns.Client.NamespaceName)
        {
            throw new StreamErrorException(StreamErrorCondition.InvalidNamespace, "Default namespace must be jabber:client.");
        }
        return new StreamHeader(
            _reader.GetAttribute("to"),
            _reader.GetAttribute("from"),
            _reader.GetAttribute("version"),
            _reader.GetAttribute("lang", "http://www.w3.org/XML/1998/namespace"));
    }

    /// <summary>Reads the next top-level element, or null when the peer closed its stream.</summary>
    public async Task<XElement?> ReadElementAsync()
    {
        _source.ResetBudget(_maxStanzaBytes);
        var open = new Stack<XElement>();
        while (await ReadNodeAsync().ConfigureAwait(false))
        {
            switch (_reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (open.Count >= MaxDepth)
                    {
                        throw new StreamErrorException(StreamErrorCondition.PolicyViolation, "Nesting too deep.");
                    }
                    var element = ReadStartTag();
                    if (open.TryPeek(out var parent)) parent.Add(element);
                    if (_reader.IsEmptyElement)
                    {
                        if (open.Count == 0) return element;
                    }
                    else
                    {
                        open.Push(element);
                    }
                    break;
                case XmlNodeType.EndElement:
                    if (open.Count == 0) return null;
                    var closed = open.Pop();
                    if (open.Count == 0) return closed;
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.SignificantWhitespace:
                case XmlNodeType.Whitespace:
                    if (open.TryPeek(out var container))
                    {
                        // Large text arrives in parts; Value would finish it with a blocking read.
                        container.Add(new XText(await GetValueAsync().ConfigureAwait(false)));
                    }
                    else if (_reader.NodeType == XmlNodeType.Text || _reader.NodeType == XmlNodeType.CDATA)
                    {
                        throw new StreamErrorException(StreamErrorCondition.BadFormat, "Character data between stanzas.");
                    }
                    else
                    {
                        // Whitespace between stanzas is a keepalive: it restarts the stanza budget too.
                        _source.ResetBudget(_maxStanzaBytes);
                    }
                    break;
                case XmlNodeType.Comment:
                case XmlNodeType.ProcessingInstruction:
                case XmlNodeType.DocumentType:
                case XmlNodeType.EntityReference:
                    throw new StreamErrorException(StreamErrorCondition.RestrictedXml);
                default:
                    throw new StreamErrorException(StreamErrorCondition.NotWellFormed);
            }
        }
        return null;
    }

    private XElement ReadStartTag()
    {
        var element = new XElement(XName.Get(_reader.LocalName, _reader.NamespaceURI));
        if (_reader.MoveToFirstAttribute())
        {
            do
            {
                if (_reader.NamespaceURI == XmlnsNamespace) continue;
                element.SetAttributeValue(XName.Get(_reader.LocalName, _reader.NamespaceURI), _reader.Value);
            }
            while (_reader.MoveToNextAttribute());
            _reader.MoveToElement();
        }
        return element;
    }

    private async Task<string> GetValueAsync()
    {
        try
        {
            return await _reader.GetValueAsync().ConfigureAwait(false);
        }
        catch (XmlException ex)
        {
            throw new StreamErrorException(StreamErrorCondition.NotWellFormed, ex.Message);
        }
    }

    private async Task<bool> ReadNodeAsync()
    {
        try
        {
            return await _reader.ReadAsync().ConfigureAwait(false);
        }
        catch (XmlException) when (_source.ReachedEnd)
        {
            throw new EndOfStreamException("The peer closed the connection.");
        }
        catch (XmlException ex)
        {
            // A prohibited DTD is the only way entity definitions can arrive; RFC 6120 §11.1 calls that restricted XML.
            var condition = ex.Message.Contains("DTD", StringComparison.Ordinal)
                ? StreamErrorCondition.RestrictedXml
                : StreamErrorCondition.NotWellFormed;
            throw new StreamErrorException(condition, ex.Message);
        }
    }

    public void Dispose() => _reader.Dispose();
}

using System.Text;
using System.Threading.Channels;
using System.Xml;
using System.Xml.Linq;

namespace Pbx.Xmpp.Streams;

/// <summary>
/// The single writer of a connection. Every producer enqueues; one loop serializes and writes,
/// so two stanzas can never interleave on the wire and no lock is held across a network await.
/// </summary>
internal sealed class OutboundQueue
{
    private static readonly XmlWriterSettings WriterSettings = new()
    {
        OmitXmlDeclaration = true,
        Encoding = new UTF8Encoding(false),
        ConformanceLevel = ConformanceLevel.Fragment,
        CheckCharacters = true,
        NamespaceHandling = NamespaceHandling.OmitDuplicates,
        Indent = false,
    };

    private readonly Channel<Outbound> _channel;
    private const int RetainedBufferBytes = 64 * 1024;
    private MemoryStream _buffer = new(4096);
    private volatile Stream _target;

    public OutboundQueue(Stream target, int capacity)
    {
        _target = target;
        _channel = Channel.CreateBounded<Outbound>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Raised from the writer loop when a stanza could not be serialized; the stanza is dropped.</summary>
    public Action<Exception>? SerializationFailed { get; set; }

    /// <summary>Only valid while the queue is idle (during STARTTLS nothing else may be sent).</summary>
    public void SwitchTarget(Stream target) => _target = target;

    /// <summary>False when the peer reads too slowly and the queue is full, or the connection is closing.</summary>
    public bool TryEnqueue(XElement element) => _channel.Writer.TryWrite(new Outbound(element, null, null));

    public bool TryEnqueueRaw(string text) => _channel.Writer.TryWrite(new Outbound(null, text, null));

    /// <summary>Queues the item and completes once it has been flushed to the transport.</summary>
    public Task SendAndFlushAsync(XElement? element, string? raw)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new Outbound(element, raw, flushed)))
        {
            flushed.TrySetException(new IOException("Outbound queue closed or full."));
        }
        return flushed.Task;
    }

    public void Complete() => _channel.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        var pendingFlushes = new List<TaskCompletionSource>();
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    await WriteItemAsync(item, cancellationToken).ConfigureAwait(false);
                    if (item.Flushed is not null) pendingFlushes.Add(item.Flushed);
                }
                await _target.FlushAsync(cancellationToken).ConfigureAwait(false);
                foreach (var flushed in pendingFlushes) flushed.TrySetResult();
                pendingFlushes.Clear();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException
                                       or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            _channel.Writer.TryComplete();
            foreach (var flushed in pendingFlushes) flushed.TrySetException(ex);
            while (reader.TryRead(out var dropped)) dropped.Flushed?.TrySetException(ex);
        }
    }

    private async Task WriteItemAsync(Outbound item, CancellationToken cancellationToken)
    {
        if (item.Raw is not null)
        {
            await _target.WriteAsync(Encoding.UTF8.GetBytes(item.Raw), cancellationToken).ConfigureAwait(false);
            return;
        }
        _buffer.SetLength(0);
        try
        {
            using (var writer = XmlWriter.Create(_buffer, WriterSettings))
            {
                item.Element!.WriteTo(writer);
            }
        }
        catch (ArgumentException ex)
        {
            // Invalid XML characters in stored content: drop that stanza, keep the stream healthy.
            SerializationFailed?.Invoke(ex);
            return;
        }
        await _target.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken).ConfigureAwait(false);
        // One huge stanza must not pin its buffer for the life of the connection.
        if (_buffer.Capacity > RetainedBufferBytes) _buffer = new MemoryStream(4096);
    }

    private readonly record struct Outbound(XElement? Element, string? Raw, TaskCompletionSource? Flushed);
}

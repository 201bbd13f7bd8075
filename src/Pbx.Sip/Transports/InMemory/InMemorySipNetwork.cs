using System.Net;

namespace Pbx.Sip.Transports.InMemory;

/// <summary>
/// A deterministic in-process network for tests, scenario runs and benchmarks: sends are queued and delivered only
/// when <see cref="Deliver"/> is called, so a test decides when packets arrive and which ones are lost.
/// </summary>
public sealed class InMemorySipNetwork
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPEndPoint, InMemorySipTransport> _endpoints = [];
    private readonly Queue<InMemoryPacket> _queue = new();
    private readonly List<InMemoryPacket> _history = [];

    /// <summary>Return true to lose a packet (it is still recorded in <see cref="History"/>).</summary>
    public Func<InMemoryPacket, bool>? Drop { get; set; }

    /// <summary>Keep every sent packet for assertions (tests); off for benchmarks.</summary>
    public bool RecordHistory { get; set; } = true;

    public IReadOnlyList<InMemoryPacket> History
    {
        get
        {
            lock (_lock) return _history.ToArray();
        }
    }

    public int Pending
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    public InMemorySipTransport CreateTransport(IPEndPoint local, SipTransportKind kind, ISipReceiver receiver)
    {
        var transport = new InMemorySipTransport(this, local, kind, receiver);
        lock (_lock) _endpoints.Add(local, transport);
        return transport;
    }

    public void ClearHistory()
    {
        lock (_lock) _history.Clear();
    }

    internal void Enqueue(InMemoryPacket packet)
    {
        lock (_lock)
        {
            if (RecordHistory) _history.Add(packet);
            if (Drop?.Invoke(packet) == true) return;
            _queue.Enqueue(packet);
        }
    }

    /// <summary>Delivers queued packets (including ones queued while delivering) up to a bound; returns how many.</summary>
    public int Deliver(int max = 10_000)
    {
        int delivered = 0;
        while (delivered < max)
        {
            InMemoryPacket packet;
            InMemorySipTransport? target;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out packet!)) break;
                _endpoints.TryGetValue(packet.To, out target);
            }
            delivered++;
            target?.Receive(packet);
        }
        return delivered;
    }
}

public sealed record InMemoryPacket(SipTransportKind Transport, IPEndPoint From, IPEndPoint To, byte[] Data)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Data);

    public string StartLine => Text[..Math.Max(0, Text.IndexOf('\r'))];
}

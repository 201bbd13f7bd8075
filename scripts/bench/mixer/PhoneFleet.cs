using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pbx.Media.Codecs;
using Pbx.Media.Rtp;

namespace Pbx.Bench.Mixer;

internal readonly record struct PhoneTotals(long Sent, long Received, long SendErrors, TimeSpan Cpu, double WorstLatenessMs);

/// <summary>
/// The phones of a socket-mode run, simulated as cheaply as possible because they share the 2 cores with the PBX:
/// one unconnected UDP socket per phone and a few threads, each owning a slice of the phones. A thread wakes every
/// 5 ms and serves a quarter of its slice (each phone once per 20 ms, and the load spread like real phones' clocks):
/// one 172-byte PCMU packet out, then whatever the PBX sent back drained without blocking. Steady state allocates
/// nothing and makes no async socket calls, so the phones' CPU is only their syscalls and stays measurable per thread.
/// </summary>
internal sealed class PhoneFleet : IDisposable
{
    private const int SlotsPerPacket = 4;
    private static readonly byte[][] Tones = CreateTones();

    private readonly Phone[] _phones;
    private readonly Worker[] _workers;

    public PhoneFleet(int count, int threads)
    {
        _phones = new Phone[count];
        for (var i = 0; i < count; i++) _phones[i] = new Phone(i);
        threads = Math.Min(threads, count);
        _workers = new Worker[threads];
        for (var t = 0; t < threads; t++) _workers[t] = new Worker(this, t, threads);
    }

    public int Count => _phones.Length;

    public IPEndPoint EndPointOf(int index) => (IPEndPoint)_phones[index].Socket.LocalEndPoint!;

    public void SetTarget(int index, IPEndPoint relay) => _phones[index].Target = relay.Serialize();

    /// <summary>Starts the threads; they stop by themselves at <paramref name="hardStop"/> even if <see cref="Stop"/> never comes.</summary>
    public void Start(TimeSpan hardStop)
    {
        var origin = Stopwatch.GetTimestamp();
        foreach (var worker in _workers) worker.Start(origin, origin + (long)(hardStop.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Read while the threads run: a finished thread's CPU time is no longer in /proc.</summary>
    public PhoneTotals Snapshot()
    {
        long sent = 0, received = 0, errors = 0;
        var cpu = TimeSpan.Zero;
        double worst = 0;
        foreach (var worker in _workers)
        {
            sent += Volatile.Read(ref worker.Sent);
            received += Volatile.Read(ref worker.Received);
            errors += Volatile.Read(ref worker.SendErrors);
            cpu += ThreadCpu.Read(Volatile.Read(ref worker.ThreadId));
            worst = Math.Max(worst, Volatile.Read(ref worker.WorstLatenessMs));
        }
        return new PhoneTotals(sent, received, errors, cpu, worst);
    }

    public void ResetWorstLateness()
    {
        foreach (var worker in _workers) Volatile.Write(ref worker.WorstLatenessMs, 0);
    }

    public void Stop()
    {
        foreach (var worker in _workers) worker.Stop();
    }

    public void Dispose()
    {
        Stop();
        foreach (var phone in _phones) phone.Socket.Dispose();
    }

    /// <summary>Eight talkers' worth of one second of µ-law tone (a 50-frame loop), shared by all phones.</summary>
    private static byte[][] CreateTones()
    {
        var tones = new byte[8][];
        for (var t = 0; t < tones.Length; t++)
        {
            var frequency = 250 + (t * 75);
            tones[t] = new byte[8000];
            for (var i = 0; i < tones[t].Length; i++) tones[t][i] = MuLaw.Encode((short)(6000 * Math.Sin(2 * Math.PI * frequency * i / 8000.0)));
        }
        return tones;
    }

    private sealed class Phone
    {
        public readonly Socket Socket;
        public readonly byte[] Packet = new byte[RtpHeader.FixedHeaderSize + 160];
        public readonly byte[] Tone;
        public SocketAddress? Target;
        public ushort Sequence;
        public uint Timestamp;

        public Phone(int index)
        {
            Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Tone = Tones[index % Tones.Length];
            // Random starting sequence and timestamp as RFC 3550 asks, but reproducible from the index.
            var random = new Random(index);
            Sequence = (ushort)random.Next(ushort.MaxValue);
            Timestamp = (uint)random.Next();
            RtpHeaderWriter.TryWrite(Packet, new RtpHeaderFields(0, Sequence, Timestamp, (uint)(0x50000000 + index)), out _);
        }
    }

    private sealed class Worker(PhoneFleet fleet, int index, int count)
    {
        public long Sent;
        public long Received;
        public long SendErrors;
        public int ThreadId = -1;
        public double WorstLatenessMs;
        private readonly byte[] _buffer = new byte[2048];
        private readonly SocketAddress _from = new(AddressFamily.InterNetwork);
        private Thread? _thread;
        private volatile bool _stop;
        private long _origin;
        private long _hardStop;

        public void Start(long origin, long hardStop)
        {
            // Workers are phase-shifted so their bursts interleave instead of all landing at once.
            _origin = origin + (Stopwatch.Frequency * 20 / 1000 / SlotsPerPacket * index / count);
            _hardStop = hardStop;
            _thread = new Thread(Run) { IsBackground = true, Name = $"phone sim {index}" };
            _thread.Start();
        }

        public void Stop()
        {
            _stop = true;
            _thread?.Join();
        }

        private void Run()
        {
            Volatile.Write(ref ThreadId, ThreadCpu.CurrentThreadId());
            var slotTicks = Stopwatch.Frequency * 20 / 1000 / SlotsPerPacket;
            for (long slot = 0; !_stop; slot++)
            {
                var due = _origin + (slot * slotTicks);
                var now = Stopwatch.GetTimestamp();
                if (now >= _hardStop) return;
                if (due > now)
                {
                    // Whole milliseconds rounded up, like the media ticker: a shorter sleep would return early and spin.
                    Thread.Sleep((int)Math.Ceiling((due - now) * 1000.0 / Stopwatch.Frequency));
                }
                else
                {
                    var lateMs = (now - due) * 1000.0 / Stopwatch.Frequency;
                    if (lateMs > WorstLatenessMs) Volatile.Write(ref WorstLatenessMs, lateMs);
                }
                Serve((int)(slot % SlotsPerPacket));
            }
        }

        private void Serve(int group)
        {
            var phones = fleet._phones;
            // Phone i belongs to worker i % count and, within it, to slot group (i / count) % SlotsPerPacket.
            var first = index + (group * count);
            var stride = count * SlotsPerPacket;
            for (var i = first; i < phones.Length; i += stride) Send(phones[i]);
            for (var i = first; i < phones.Length; i += stride) Drain(phones[i].Socket);
        }

        private void Send(Phone phone)
        {
            if (phone.Target is not { } target) return;
            phone.Sequence++;
            phone.Timestamp += 160;
            var packet = phone.Packet.AsSpan();
            RtpHeaderWriter.SetSequenceNumber(packet, phone.Sequence);
            RtpHeaderWriter.SetTimestamp(packet, phone.Timestamp);
            phone.Tone.AsSpan(phone.Sequence % 50 * 160, 160).CopyTo(packet[RtpHeader.FixedHeaderSize..]);
            try
            {
                phone.Socket.SendTo(packet, SocketFlags.None, target);
                Volatile.Write(ref Sent, Sent + 1);
            }
            catch (SocketException)
            {
                Volatile.Write(ref SendErrors, SendErrors + 1);
            }
        }

        private void Drain(Socket socket)
        {
            try
            {
                // Available is one ioctl and never blocks; on Linux UDP it is the size of the next datagram.
                while (socket.Available > 0)
                {
                    socket.ReceiveFrom(_buffer, SocketFlags.None, _from);
                    Volatile.Write(ref Received, Received + 1);
                }
            }
            catch (SocketException)
            {
                // An ICMP error surfaced by the kernel; the next packet is read on the next round.
            }
        }
    }
}

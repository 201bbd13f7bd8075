using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Media;
using Pbx.Calls.Sip;
using Pbx.Media.Negotiation;
using Pbx.Media.Ports;
using Pbx.Media.Relay;
using Pbx.Media.Timing;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Journal;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Tests.B2bua;

/// <summary>Captures every message the transaction layer sends, in order.</summary>
public sealed class RecordingSender : ISipSender
{
    private readonly Lock _sync = new();
    private readonly List<SentMessage> _sent = [];

    public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var text = new SipText(Encoding.UTF8.GetString(message.Span));
        lock (_sync) _sent.Add(new SentMessage(_sent.Count, destination, text));
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<SentMessage> Snapshot()
    {
        lock (_sync) return [.. _sent];
    }
}

/// <summary>Keeps what the B2BUA logs (warnings and errors with their exceptions) for failure messages and assertions.</summary>
public sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), exception));

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Message}: {e.Exception}");

    public string Dump() => string.Join("\n", Entries.Select(e => $"[{e.Level}] {e.Message} {e.Exception}"));
}

/// <summary>Directory of the test users: alice 100, bob 101, carol 102, dave 103 (dave never registers).</summary>
public sealed class FakeCallDirectory : ICallDirectory
{
    private static readonly Dictionary<string, CallerIdentity> Identities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alice"] = new("100", "Alice"),
        ["bob"] = new("101", "Bob"),
        ["carol"] = new("102", "Carol"),
        ["dave"] = new("103", "Dave"),
    };

    public ConcurrentQueue<string> IdentityLookups { get; } = new();

    public ValueTask<CallerIdentity?> GetIdentityAsync(string loginId, CancellationToken cancellation)
    {
        IdentityLookups.Enqueue(loginId);
        return ValueTask.FromResult(Identities.GetValueOrDefault(loginId));
    }

    public ValueTask<string?> FindUserOfNumberAsync(string number, CancellationToken cancellation) =>
        ValueTask.FromResult<string?>(Identities.FirstOrDefault(e => e.Value.Number == number).Key);

    public ValueTask<string?> FindUserByCellNumberAsync(string number, CancellationToken cancellation) => ValueTask.FromResult<string?>(null);

    public ValueTask<string?> GetExternalNumberAsync(string loginId, CancellationToken cancellation) => ValueTask.FromResult<string?>(null);
}

/// <summary>Records activity changes and journal rows.</summary>
public sealed class RecordingCallEvents : ICallEvents
{
    public ConcurrentQueue<(string LoginId, PartyActivity Activity)> Activity { get; } = new();

    public ConcurrentQueue<IReadOnlyList<CallJournalEntry>> Journal { get; } = new();

    public void ActivityChanged(string loginId, PartyActivity activity) => Activity.Enqueue((loginId, activity));

    public void CallFinished(IReadOnlyList<CallJournalEntry> entries) => Journal.Enqueue(entries);

    public IReadOnlyList<PartyActivity> ActivityOf(string loginId) =>
        Activity.Where(a => a.LoginId.Equals(loginId, StringComparison.OrdinalIgnoreCase)).Select(a => a.Activity).ToList();
}

public sealed class TestEndpoints : ISipLocalEndpoints
{
    public string Host => "192.0.2.1";

    public string Via(SipTransportKind transport, string branch) => $"SIP/2.0/{transport.ViaTransport()} 192.0.2.1:5060;branch={branch};rport";

    public string Contact(SipTransportKind transport) => "<sip:pbx@192.0.2.1:5060>";
}

/// <summary>
/// Dispatches the transaction layer's callbacks to the B2BUA the way the daemon's PbxTransactionUser does, minus
/// registrar, qualify and authentication: a new INVITE is taken as authenticated for the user its phone belongs to.
/// </summary>
public sealed class TestTransactionUser(B2buaService calls, Func<SipFlow, string> loginOf) : ISipTransactionUser
{
    public void OnRequest(ServerTransaction transaction)
    {
        var request = transaction.Request;
        switch (request.Method)
        {
            case SipMethod.Cancel:
                calls.OnCancel(transaction);
                break;
            case not SipMethod.Register when request.To.HasTag:
                if (!calls.TryHandleInDialog(transaction))
                    transaction.SendResponse(481, "Call/Transaction Does Not Exist");
                break;
            case SipMethod.Invite:
                calls.OnInvite(transaction, loginOf(transaction.Flow));
                break;
            case SipMethod.Bye or SipMethod.Info or SipMethod.Update or SipMethod.Prack or SipMethod.Ack:
                transaction.SendResponse(481, "Call/Transaction Does Not Exist", SipIds.NewTag());
                break;
            default:
                transaction.SendResponse(405, "Method Not Allowed", SipIds.NewTag(), w => w.WriteHeader(HeaderKind.Allow, SipHeaderValues.Allow));
                break;
        }
    }

    public void OnAck(SipMessage ack, SipFlow source) => calls.OnAck(ack, source);

    public void OnResponse(ClientTransaction transaction, SipMessage response) => calls.OnResponse(transaction, response);

    public void OnStrayResponse(SipMessage response, SipFlow source)
    {
    }

    public void OnTransactionTerminated(SipTransaction transaction) => calls.OnTransactionTerminated(transaction);
}

/// <summary>
/// The B2BUA over a real transaction layer whose transport is a recording fake, real relay sockets on 127.0.0.1,
/// real routing over in-memory settings, and test phones that inject their messages as bytes.
/// </summary>
public sealed class B2buaHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static int _instances;
    private readonly Dictionary<SipFlow, string> _logins = [];

    public B2buaHarness(Action<CallsOptions>? configure = null)
    {
        var slot = Interlocked.Increment(ref _instances) % 40;
        Allocator = new RtpPortAllocator(new RtpPortAllocatorOptions
        {
            MinPort = 30000 + (slot * 400),
            MaxPort = 30000 + (slot * 400) + 399,
            BindAddress = IPAddress.Loopback,
        });
        Options = new CallsOptions { MediaTimeout = TimeSpan.Zero, RingTimeout = TimeSpan.FromSeconds(30) };
        configure?.Invoke(Options);
        Settings = new InMemoryRoutingSettings()
            .AddNumber("100", new RoutingParty.User("alice"))
            .AddNumber("101", new RoutingParty.User("bob"))
            .AddNumber("102", new RoutingParty.User("carol"))
            .AddNumber("103", new RoutingParty.User("dave"));
        Ticker = new MediaTicker(TimeProvider.System);
        Ticker.Start();
        var time = TimeProvider.System;
        B2bua = new B2buaService(Options, new TestEndpoints(), Bindings, new RtpRelaySessionFactory(Allocator), IPAddress.Loopback,
            new CodecPolicy([AudioCodec.Pcmu, AudioCodec.Pcma], AllowTelephoneEvent: true), Directory,
            legs => new RoutingEngine(legs, Settings, Availability, time), Events, Ticker, new MusicOnHold(MusicOnHold.Synthesize()),
            new PromptLibrary(Path.Combine(Path.GetTempPath(), "pbx-b2bua-tests-no-prompts"), "en"), time,
            Log);
        User = new TestTransactionUser(B2bua, flow => _logins.GetValueOrDefault(flow, "alice"));
        Layer = new SipTransactionLayer(Sender, User, time: time);
        B2bua.Attach(Layer);
    }

    public RecordingSender Sender { get; } = new();
    public CapturingLogger Log { get; } = new();
    public SipTransactionLayer Layer { get; }
    public TestTransactionUser User { get; }
    public B2buaService B2bua { get; }
    public CallsOptions Options { get; }
    public BindingTable Bindings { get; } = new();
    public RtpPortAllocator Allocator { get; }
    public MediaTicker Ticker { get; }
    public InMemoryRoutingSettings Settings { get; }
    public InMemoryDeviceAvailability Availability { get; } = new();
    public FakeCallDirectory Directory { get; } = new();
    public RecordingCallEvents Events { get; } = new();

    /// <summary>A phone of <paramref name="login"/> on 127.0.0.1:<paramref name="sipPort"/>; registered unless told otherwise.</summary>
    public Phone AddPhone(string login, int sipPort, bool register = true)
    {
        var phone = new Phone(this, login, sipPort);
        _logins[phone.Flow] = login;
        if (register)
        {
            var now = DateTimeOffset.UtcNow;
            Bindings.Restore([new Binding(login, phone.ContactUri, null, null, 1.0, now.AddHours(1), $"reg-{login}-{sipPort}", 1, phone.Flow, [],
                "test-phone", now, now)], now);
        }
        return phone;
    }

    public void Inject(byte[] message, SipFlow from) => Layer.OnMessageReceived(message, from);

    /// <summary>The first sent message (in order) that matches; fails with everything sent when none does in time.</summary>
    public async Task<SentMessage> WaitFor(Func<SentMessage, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (true)
        {
            var found = Sender.Snapshot().FirstOrDefault(match);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}. Sent:\n{Dump()}\nLogged:\n{Log.Dump()}");
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static async Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            await Task.Delay(10);
        }
    }

    public IReadOnlyList<SentMessage> SentTo(Phone phone) => Sender.Snapshot().Where(m => m.Flow == phone.Flow).ToList();

    public async Task<IReadOnlyList<CallJournalEntry>> WaitForJournal(string callId)
    {
        IReadOnlyList<CallJournalEntry>? rows = null;
        await Eventually(() => (rows = Events.Journal.FirstOrDefault(j => j.Any(e => e.CallId == callId))) is not null, $"journal rows of {callId}");
        return rows!;
    }

    public string Dump() => string.Join("\n", Sender.Snapshot().Select(m => m.ToString()));

    public async ValueTask DisposeAsync()
    {
        await B2bua.HangUpAllAsync(TimeSpan.FromSeconds(2));
        Layer.Dispose();
        Ticker.Dispose();
    }
}

/// <summary>A SIP phone in the test: injects requests and responses as bytes from its own UDP flow.</summary>
public sealed class Phone(B2buaHarness harness, string login, int sipPort)
{
    private int _branch;

    public string Login { get; } = login;

    public SipFlow Flow { get; } = new(SipTransportKind.Udp, new IPEndPoint(IPAddress.Loopback, sipPort));

    public string ContactUri => $"sip:{Login}@127.0.0.1:{Flow.Remote.Port}";

    public string Tag { get; } = $"{login}-tag-{sipPort}";

    /// <summary>Where this phone's media is (an address nothing listens on).</summary>
    public int MediaPort => Flow.Remote.Port + 1000;

    public string NewBranch() => $"z9hG4bK-{Login}-{Interlocked.Increment(ref _branch)}-{Guid.NewGuid():N}";

    public string Via(string branch) => $"SIP/2.0/UDP 127.0.0.1:{Flow.Remote.Port};branch={branch};rport";

    /// <summary>Starts a call to <paramref name="number"/>.</summary>
    public OutgoingCall Dial(string number, string? sdp = null, params (string Name, string Value)[] extra)
    {
        var call = new OutgoingCall(harness, this, number, $"call-{Login}-{Guid.NewGuid():N}@127.0.0.1", NewBranch());
        call.SendInvite(sdp ?? SipBuilder.Sdp(Login, MediaPort), extra);
        return call;
    }

    /// <summary>Answers a request the B2BUA sent to this phone; <paramref name="toTag"/> is added when the To has none.</summary>
    public void Respond(SentMessage request, int status, string reason, string? toTag = null, string? sdp = null,
        params (string Name, string Value)[] extra)
    {
        var r = request.Message;
        var headers = new List<(string, string)>();
        foreach (var via in r.Headers("Via")) headers.Add(("Via", via));
        headers.Add(("From", r.Header("From")!));
        var to = r.Header("To")!;
        if (r.ToTag is null && toTag is not null) to += $";tag={toTag}";
        headers.Add(("To", to));
        headers.Add(("Call-ID", r.CallId));
        headers.Add(("CSeq", r.Header("CSeq")!));
        if (status is > 100 and < 300 && r.Method is "INVITE") headers.Add(("Contact", $"<{ContactUri}>"));
        headers.AddRange(extra);
        harness.Inject(SipBuilder.Bytes($"SIP/2.0 {status} {reason}", headers, sdp), Flow);
    }

    /// <summary>Sends a request in the dialog an INVITE from the B2BUA created (this phone is its UAS).</summary>
    public void SendInCalleeDialog(SentMessage invite, string localTag, string method, uint cseq, string? body = null, string? contentType = null,
        params (string Name, string Value)[] extra)
    {
        var r = invite.Message;
        var headers = new List<(string, string)>
        {
            ("Via", Via(NewBranch())),
            ("Max-Forwards", "70"),
            ("From", $"{r.Header("To")};tag={localTag}"),
            ("To", r.Header("From")!),
            ("Call-ID", r.CallId),
            ("CSeq", $"{cseq} {method}"),
            ("Contact", $"<{ContactUri}>"),
        };
        headers.AddRange(extra);
        var target = r.Header("Contact")!.Trim('<', '>');
        harness.Inject(SipBuilder.Bytes($"{method} {target} SIP/2.0", headers, body, contentType), Flow);
    }
}

/// <summary>A call a phone places through the B2BUA: its INVITE transaction and, once answered, its dialog.</summary>
public sealed class OutgoingCall(B2buaHarness harness, Phone phone, string number, string callId, string inviteBranch)
{
    private uint _cseq = 1;

    public string CallId { get; } = callId;

    public string Number { get; } = number;

    public string InviteBranch { get; } = inviteBranch;

    /// <summary>Our To-tag, from the B2BUA's final response.</summary>
    public string? RemoteTag { get; set; }

    public string RemoteTarget { get; set; } = "sip:pbx@192.0.2.1:5060";

    private string RequestUri => $"sip:{Number}@192.0.2.1";

    private string From => $"\"{phone.Login}\" <sip:{phone.Login}@192.0.2.1>;tag={phone.Tag}";

    private string To => RemoteTag is null ? $"<{RequestUri}>" : $"<{RequestUri}>;tag={RemoteTag}";

    public void SendInvite(string sdp, (string Name, string Value)[] extra)
    {
        var headers = new List<(string, string)>
        {
            ("Via", phone.Via(InviteBranch)), ("Max-Forwards", "70"), ("From", From), ("To", To), ("Call-ID", CallId),
            ("CSeq", "1 INVITE"), ("Contact", $"<{phone.ContactUri}>"),
        };
        headers.AddRange(extra);
        harness.Inject(SipBuilder.Bytes($"INVITE {RequestUri} SIP/2.0", headers, sdp), phone.Flow);
    }

    public void Cancel()
    {
        var headers = new List<(string, string)>
        {
            ("Via", phone.Via(InviteBranch)), ("Max-Forwards", "70"), ("From", From), ("To", $"<{RequestUri}>"), ("Call-ID", CallId),
            ("CSeq", "1 CANCEL"),
        };
        harness.Inject(SipBuilder.Bytes($"CANCEL {RequestUri} SIP/2.0", headers), phone.Flow);
    }

    /// <summary>The ACK for a non-2xx final response (same branch: part of the INVITE transaction).</summary>
    public void AckFailure(string toTag)
    {
        var headers = new List<(string, string)>
        {
            ("Via", phone.Via(InviteBranch)), ("Max-Forwards", "70"), ("From", From), ("To", $"<{RequestUri}>;tag={toTag}"),
            ("Call-ID", CallId), ("CSeq", "1 ACK"),
        };
        harness.Inject(SipBuilder.Bytes($"ACK {RequestUri} SIP/2.0", headers), phone.Flow);
    }

    /// <summary>Takes the dialog from the B2BUA's 2xx and acknowledges it (new branch, RFC 3261 §13.2.2.4).</summary>
    public void Confirm(SentMessage ok)
    {
        RemoteTag = ok.Message.ToTag;
        if (ok.Message.Header("Contact") is { } contact) RemoteTarget = contact.Trim('<', '>');
        Ack(ok.Message.CSeq);
    }

    public void Ack(uint cseq)
    {
        var headers = new List<(string, string)>
        {
            ("Via", phone.Via(phone.NewBranch())), ("Max-Forwards", "70"), ("From", From), ("To", To), ("Call-ID", CallId),
            ("CSeq", $"{cseq} ACK"),
        };
        harness.Inject(SipBuilder.Bytes($"ACK {RemoteTarget} SIP/2.0", headers), phone.Flow);
    }

    /// <summary>An in-dialog request from the caller; returns its CSeq.</summary>
    public uint Send(string method, string? body = null, string? contentType = null, params (string Name, string Value)[] extra)
    {
        var cseq = ++_cseq;
        var headers = new List<(string, string)>
        {
            ("Via", phone.Via(phone.NewBranch())), ("Max-Forwards", "70"), ("From", From), ("To", To), ("Call-ID", CallId),
            ("CSeq", $"{cseq} {method}"),
        };
        if (method is "INVITE" or "UPDATE") headers.Add(("Contact", $"<{phone.ContactUri}>"));
        headers.AddRange(extra);
        harness.Inject(SipBuilder.Bytes($"{method} {RemoteTarget} SIP/2.0", headers, body, contentType), phone.Flow);
        return cseq;
    }
}

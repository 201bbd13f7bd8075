using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Media;
using Pbx.Calls.Trunks;
using Pbx.Media.Negotiation;
using Pbx.Media.Relay;
using Pbx.Media.Timing;
using Pbx.Sip.Dialogs;
using Pbx.Sip.Messages;
using Pbx.Sip.Registrar;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;
using Pbx.Telephony.Calls;
using Pbx.Telephony.Routing;

namespace Pbx.Calls.Sip;

/// <summary>
/// The back-to-back user agent: every call the PBX carries has an inbound leg (the caller's dialog with us) and an
/// outbound leg (our dialog with the answering device), with media anchored in our relay. This class is the SIP
/// entry point the transaction user dispatches to; each call runs in its own <see cref="SipCall"/>.
/// </summary>
public sealed partial class B2buaService : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ServerTransaction, SipCall> _pendingInvites = new();
    private readonly ConcurrentDictionary<SipCall, byte> _calls = new();
    private SipTransactionLayer? _layer;

    public B2buaService(CallsOptions options, ISipLocalEndpoints endpoints, BindingTable bindings, RtpRelaySessionFactory relays,
        IPAddress mediaAddress, CodecPolicy codecs, ICallDirectory directory, Func<ILegFactory, RoutingEngine> routing,
        ICallEvents events, MediaTicker ticker, MusicOnHold music, PromptLibrary prompts, TimeProvider time, ILogger logger)
    {
        Prompts = prompts;
        Ticker = ticker;
        MusicOnHold = music;
        Options = options;
        Endpoints = endpoints;
        Bindings = bindings;
        Relays = relays;
        MediaAddress = mediaAddress;
        Codecs = codecs;
        Directory = directory;
        Routing = routing;
        Events = events;
        Activity = new PartyActivityTracker(events);
        Time = time;
        Log = logger;
    }

    internal CallsOptions Options { get; }
    internal ISipLocalEndpoints Endpoints { get; }
    internal BindingTable Bindings { get; }
    internal RtpRelaySessionFactory Relays { get; }
    internal IPAddress MediaAddress { get; }
    internal CodecPolicy Codecs { get; }
    internal ICallDirectory Directory { get; }
    internal Func<ILegFactory, RoutingEngine> Routing { get; }
    internal ICallEvents Events { get; }
    internal MediaTicker Ticker { get; }
    internal MusicOnHold MusicOnHold { get; }
    internal PromptLibrary Prompts { get; }
    internal TimeProvider Time { get; }
    internal ILogger Log { get; }
    internal DialogTable Dialogs { get; } = new();

    /// <summary>The provider accounts numbers outside go through; null when none are configured.</summary>
    public TrunkService? Trunks { get; init; }

    /// <summary>Who is ringing or on the phone right now, across all calls.</summary>
    public PartyActivityTracker Activity { get; }

    /// <summary>
    /// A DTMF digit a party sent during a connected call (RFC 4733 through the relay, or SIP INFO), with the call's
    /// Call-ID and the sender's login ID when it is a PBX user. Raised from call processing; handlers return quickly.
    /// </summary>
    public event Action<string, string?, char>? DigitReceived;

    internal void OnDigit(string callId, string? loginId, char digit) => DigitReceived?.Invoke(callId, loginId, digit);

    /// <summary>Dial-in rooms, scheduled and three-way conferences; null when the host runs without them.</summary>
    public Conferences.ConferenceService? Conferences { get; set; }

    /// <summary>
    /// Joins <paramref name="loginId"/>'s two calls into a three-way conference: call <paramref name="activeCallId"/> (the
    /// one the user is talking in) keeps both parties, the other call's party joins and the user's held side of it ends.
    /// </summary>
    public ThreeWayResult StartThreeWay(string loginId, string activeCallId)
    {
        if (Conferences is null) return ThreeWayResult.NotAvailable;
        if (_calls.Keys.FirstOrDefault(call => call.Id == activeCallId && call.HasParty(loginId)) is not { } active) return ThreeWayResult.NotAParty;
        var others = _calls.Keys.Where(call => call != active && call.HasParty(loginId)).ToList();
        if (others.Count != 1) return others.Count == 0 ? ThreeWayResult.NoSecondCall : ThreeWayResult.TooManyCalls;
        var room = Conferences.OpenAdHoc(loginId);
        others[0].JoinThreeWay(room, loginId, dropInitiator: true);
        active.JoinThreeWay(room, loginId, dropInitiator: false);
        return ThreeWayResult.Started;
    }

    /// <summary>Calls being set up or connected.</summary>
    public int ActiveCalls => _calls.Count;

    /// <summary>A point-in-time view of the calls in progress (fields may be a moment apart; it is for display).</summary>
    public IReadOnlyList<ActiveCall> Snapshot() => _calls.Keys.Select(call => call.Describe()).Where(c => c is not null).Select(c => c!)
        .OrderBy(c => c.StartedAt).ToList();

    internal SipTransactionLayer Layer => _layer ?? throw new InvalidOperationException("The B2BUA is not attached to a transaction layer.");

    /// <summary>The layer exists only once the transports do; it is handed over before the first message can arrive.</summary>
    public void Attach(SipTransactionLayer layer) => _layer = layer;

    /// <summary>A new INVITE (no To-tag) from the authenticated user <paramref name="loginId"/>.</summary>
    public void OnInvite(ServerTransaction transaction, string loginId)
    {
        var call = new SipCall(this, transaction, loginId);
        _pendingInvites[transaction] = call;
        _calls[call] = 0;
        call.Start();
    }

    /// <summary>
    /// A new INVITE from a provider, recognised by its source address (<see cref="TrunkService.FindBySource"/>) and not
    /// challenged: it rings the DID's user or group like an internal call, with the provider's caller ID.
    /// </summary>
    public void OnTrunkInvite(ServerTransaction transaction, TrunkSettings trunk)
    {
        var inbound = TrunkService.Describe(trunk, transaction.Request);
        TrunkService.InboundCall(Log, trunk.Name, inbound.Caller.Number, inbound.CalledNumber);
        var call = new SipCall(this, transaction, inbound);
        _pendingInvites[transaction] = call;
        _calls[call] = 0;
        call.Start();
    }

    /// <summary>A request with a To-tag. False when it matches none of our dialogs (the caller answers 481).</summary>
    public bool TryHandleInDialog(ServerTransaction transaction)
    {
        if (Dialogs.FindForRequest(transaction.Request) is not { Owner: IDialogOwner owner } dialog) return false;
        owner.OnRequest(dialog, transaction);
        return true;
    }

    /// <summary>CANCEL (RFC 3261 §9.2): 200 for the CANCEL, then the call answers its INVITE with 487.</summary>
    public void OnCancel(ServerTransaction cancel)
    {
        if (Layer.FindInviteTransaction(cancel.Request) is not { } invite || !_pendingInvites.TryGetValue(invite, out var call))
        {
            cancel.SendResponse(481, "Call/Transaction Does Not Exist", SipIds.NewTag());
            return;
        }
        cancel.SendResponse(200, "OK", call.InboundTag);
        call.OnCallerCancelled();
    }

    public void OnAck(SipMessage ack, SipFlow source)
    {
        if (Dialogs.FindForRequest(ack) is { Owner: IDialogOwner owner } dialog) owner.OnAck(dialog, ack);
    }

    /// <summary>False when the response is not for a request of ours.</summary>
    public bool OnResponse(ClientTransaction transaction, SipMessage response)
    {
        if (transaction.Owner is not IResponseHandler handler) return false;
        handler.OnResponse(transaction, response);
        return true;
    }

    public void OnTransactionTerminated(SipTransaction transaction)
    {
        if (transaction is ServerTransaction server) _pendingInvites.TryRemove(server, out _);
    }

    internal void InviteAnswered(ServerTransaction transaction) => _pendingInvites.TryRemove(transaction, out _);

    internal SipCall? FindConnectedCallOf(string loginId, SipCall except) =>
        _calls.Keys.FirstOrDefault(call => call != except && call.HasParty(loginId));

    /// <summary>Moves <paramref name="loginId"/>'s side of call <paramref name="callId"/> to the devices <paramref name="target"/> names.</summary>
    public Task<CallMoveResult> MoveAsync(string callId, string loginId, CallTarget target) =>
        _calls.Keys.FirstOrDefault(call => call.Id == callId) is { } found ? found.PushAsync(loginId, target) : Task.FromResult(CallMoveResult.NotAParty);

    internal void Track(SipCall call) => _calls[call] = 0;

    /// <summary>
    /// Callback: the PBX rings <paramref name="first"/> (the user's cell or a chosen device) and, once the user
    /// answers, <paramref name="destination"/>, presenting the user's desk number. Returns the new call's id.
    /// </summary>
    public string StartCallback(string loginId, CallTarget first, string destination) =>
        SipCall.StartCallback(this, loginId, first, destination).Id;

    internal void Forget(SipCall call) => _calls.TryRemove(call, out _);

    /// <summary>Hangs up every call (daemon shutdown): BYE to connected legs, 503 or CANCEL to ones being set up.</summary>
    public async Task HangUpAllAsync(TimeSpan limit)
    {
        foreach (var call in _calls.Keys) call.HangUp("server shutting down");
        var deadline = Time.GetTimestamp() + (long)(limit.TotalSeconds * Time.TimestampFrequency);
        while (!_calls.IsEmpty && Time.GetTimestamp() < deadline) await Task.Delay(50);
    }

    public async ValueTask DisposeAsync() => await HangUpAllAsync(TimeSpan.FromSeconds(2));
}

public enum ThreeWayResult
{
    Started,
    NotAvailable,
    NotAParty,
    NoSecondCall,
    TooManyCalls,
}

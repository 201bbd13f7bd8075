using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Pbx.Calls.Sip;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Telephony.Calls;

namespace Pbx.Calls.Trunks;

/// <summary>A trunk's configuration summary and registration state, for the admin API.</summary>
public sealed record TrunkStatus(string Name, string Host, int Port, string Transport, bool Register, TrunkRegistrationState State);

/// <summary>An INVITE a provider sent us, reduced to what the call needs.</summary>
/// <param name="CalledNumber">The number routing looks up (a DID's target extension or the DID in E.164).</param>
public sealed record InboundTrunkCall(string Trunk, CallerIdentity Caller, string CalledNumber);

/// <summary>
/// The configured provider accounts: registers those that register, recognises their INVITEs by source address,
/// and picks the trunk for a dialled number by the dial rules.
/// </summary>
public sealed partial class TrunkService : IAsyncDisposable
{
    private readonly List<TrunkPeer> _peers;
    private readonly ISipLocalEndpoints _endpoints;
    private readonly RegistrationRetry _retry;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private SipTransactionLayer? _layer;

    public TrunkService(IReadOnlyList<TrunkSettings> trunks, ISipLocalEndpoints endpoints, TimeProvider time, ILogger logger,
        RegistrationRetry? retry = null)
    {
        _peers = [.. trunks.Select(t => new TrunkPeer(t))];
        _endpoints = endpoints;
        _retry = retry ?? RegistrationRetry.Default;
        _time = time;
        _log = logger;
    }

    public IReadOnlyList<TrunkSettings> Trunks => [.. _peers.Select(p => p.Settings)];

    internal ISipLocalEndpoints Endpoints => _endpoints;

    /// <summary>Starts the registrations once the transaction layer exists.</summary>
    public void Start(SipTransactionLayer layer)
    {
        _layer = layer;
        foreach (var peer in _peers.Where(p => p.Settings.Register && p.Registration is null))
        {
            var client = new SipRegisterClient(peer, _endpoints, () => _layer!);
            peer.Registration = new TrunkRegistration(peer.Settings.Name, peer.Settings.RegisterExpirySeconds, client, _retry, _time, _log);
            peer.Registration.Start();
        }
    }

    public IReadOnlyList<TrunkStatus> Snapshot() =>
        [.. _peers.Select(p => new TrunkStatus(p.Settings.Name, p.Settings.Host, p.Settings.Port, p.Settings.Transport.ToString().ToUpperInvariant(),
            p.Settings.Register, p.State))];

    /// <summary>
    /// The trunk a request came from, by source address (see <see cref="TrunkPeer.Matches"/>). Providers do not answer
    /// our challenges, so this address check is what authenticates their INVITEs.
    /// </summary>
    public TrunkSettings? FindBySource(IPEndPoint source) => _peers.FirstOrDefault(p => p.Matches(source))?.Settings;

    /// <summary>The trunk and E.164 number for a dialled number, null when no dial rule takes it.</summary>
    public DialOut? Route(string dialled) => DialPlan.Match(Trunks, dialled);

    /// <summary>The trunk for an E.164 number routing chose (redirections): the first with a rule for '+', else the first trunk.</summary>
    internal TrunkSettings? ForE164(string e164) =>
        DialPlan.Match(Trunks, e164)?.Trunk ?? (_peers.Count > 0 ? _peers[0].Settings : null);

    internal TrunkPeer? Peer(TrunkSettings trunk) => _peers.FirstOrDefault(p => p.Settings == trunk);

    /// <summary>Caller and called number of a provider's INVITE.</summary>
    public static InboundTrunkCall Describe(TrunkSettings trunk, SipMessage invite)
    {
        var requestUser = Encoding.UTF8.GetString(invite.RequestUri.User);
        // Providers that deliver to our registered Contact put the account in the Request-URI and the DID in To.
        if (requestUser.Length == 0 || requestUser == "pbx" || requestUser == SipHeaderValues.UserPart(trunk.Username))
            requestUser = Encoding.UTF8.GetString(invite.To.Uri.User);
        var fromUser = Encoding.UTF8.GetString(invite.From.Uri.User);
        var callerNumber = DialPlan.ToE164(fromUser, trunk.CountryCode) ?? (fromUser.Length > 0 ? fromUser : "anonymous");
        var name = invite.From.HasDisplayName ? invite.From.GetDisplayNameString() : null;
        return new InboundTrunkCall(trunk.Name, new CallerIdentity(callerNumber, string.IsNullOrWhiteSpace(name) ? null : name),
            InboundPlan.CalledNumber(trunk, requestUser));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers)
            if (peer.Registration is { } registration) await registration.DisposeAsync();
    }

    [LoggerMessage(EventId = 3210, Level = LogLevel.Warning, Message = "TRUNK {Trunk} {Status} {Reason}")]
    internal static partial void CallFailed(ILogger logger, string trunk, int status, string reason);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Information, Message = "TRUNK {Trunk} INVITE from {Caller} to {Called}")]
    internal static partial void InboundCall(ILogger logger, string trunk, string caller, string called);
}

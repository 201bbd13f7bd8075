using System.Globalization;
using Microsoft.Extensions.Logging;
using Pbx.Sip.Auth;
using Pbx.Sip.Messages;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Registrar;

/// <summary>Told about every authentication failure, so the host can ban a guessing source.</summary>
public interface IAuthFailureSink
{
    void OnAuthFailure(System.Net.IPAddress source, string? username);
}

/// <summary>
/// The REGISTER handler (RFC 3261 §10.3): digest authentication, the AoR's own credentials only, Min-Expires, then the
/// binding table. Unknown users and wrong passwords get the same answer, so extensions cannot be enumerated.
/// </summary>
public sealed partial class RegistrarService(
    RegistrarOptions options,
    DigestAuthenticator authenticator,
    BindingTable bindings,
    BindingPersister persister,
    IAuthFailureSink? failures,
    TimeProvider time,
    ILogger logger)
{
    public BindingTable Bindings => bindings;

    /// <summary>
    /// The 401 for a REGISTER that carries no credentials at all, built without a transaction (RFC 3261 §8.2.7);
    /// null for any other REGISTER, which goes through <see cref="Handle"/>.
    /// </summary>
    public PooledBufferWriter? TryChallengeStatelessly(SipMessage request, SipFlow source)
    {
        if (request.Method != SipMethod.Register || request.TryGetHeader(HeaderKind.Authorization, out _)) return null;
        var buffer = new PooledBufferWriter(768);
        var writer = new SipMessageWriter(buffer);
        SipResponseFactory.WriteResponseStart(writer, request, 401, "Unauthorized"u8, System.Text.Encoding.ASCII.GetBytes(NewTag()), source.Remote);
        authenticator.WriteChallenges(writer, options.Realm, proxy: false, stale: false);
        writer.WriteBody(default);
        return buffer;
    }

    public void Handle(ServerTransaction transaction)
    {
        var request = transaction.Request;
        var verification = authenticator.Verify(request, HeaderKind.Authorization, options.Realm);
        if (verification.Outcome == DigestOutcome.Malformed)
        {
            transaction.SendResponse(400, "Bad Request - Malformed Authorization");
            return;
        }
        if (!verification.IsSuccess)
        {
            if (verification.Outcome == DigestOutcome.Rejected)
            {
                failures?.OnAuthFailure(transaction.Flow.Remote.Address, verification.Username);
                AuthFailed(logger, verification.Username ?? "?", transaction.Flow.ToString(), verification.Detail);
            }
            transaction.SendResponse(401, "Unauthorized", NewTag(), w => authenticator.WriteChallenges(w, options.Realm, proxy: false, verification.Stale));
            return;
        }

        var register = RegisterRequest.TryRead(request, options, out var status, out var reason);
        if (register is null)
        {
            transaction.SendResponse(status, reason, NewTag());
            return;
        }
        // Credentials prove who the caller is, not which AoR it may bind: only its own.
        if (!string.Equals(verification.Username, register.Aor, StringComparison.OrdinalIgnoreCase))
        {
            transaction.SendResponse(403, "Forbidden - Credentials Do Not Match The Address Of Record", NewTag());
            return;
        }
        if (register.Contacts.Any(c => c.ExpiresSeconds > 0 && c.ExpiresSeconds < options.MinExpiresSeconds))
        {
            transaction.SendResponse(423, "Interval Too Brief", NewTag(),
                w => w.WriteHeader(HeaderKind.MinExpires, options.MinExpiresSeconds.ToString(CultureInfo.InvariantCulture)));
            return;
        }

        var now = time.GetUtcNow();
        var update = bindings.Apply(register, transaction.Flow, options, now);
        if (!update.Accepted)
        {
            transaction.SendResponse(500, "Server Internal Error - Out Of Order CSeq", NewTag(), w => w.WriteHeader("Retry-After"u8, "1"u8));
            return;
        }
        persister.Enqueue(update.Changed, update.Removed);
        foreach (var binding in update.Changed)
        {
            // A refresh is routine; only a new binding is news for the log (busy PBXs see thousands of refreshes a minute).
            if (binding.UpdatedAt == binding.RegisteredAt) Registered(logger, binding.Aor, binding.Contact, binding.Flow.ToString(), (int)(binding.ExpiresAt - now).TotalSeconds);
            else Refreshed(logger, binding.Aor, binding.Contact, (int)(binding.ExpiresAt - now).TotalSeconds);
        }
        foreach (var binding in update.Removed) Unregistered(logger, binding.Aor, binding.Contact);
        var outbound = register.SupportsOutbound && register.Contacts.Any(c => c.RegId is not null);
        transaction.SendResponse(200, "OK", NewTag(), w => WriteBindings(w, update.Current, register, outbound, now));
    }

    private static void WriteBindings(SipMessageWriter writer, IReadOnlyList<Binding> current, RegisterRequest register, bool outbound, DateTimeOffset now)
    {
        foreach (var binding in current)
        {
            var remaining = Math.Max(0, (int)Math.Ceiling((binding.ExpiresAt - now).TotalSeconds));
            var contact = $"<{binding.Contact}>;expires={remaining}";
            if (binding.InstanceId is not null) contact += $";+sip.instance=\"{binding.InstanceId}\"";
            if (binding.RegId is not null) contact += $";reg-id={binding.RegId}";
            writer.WriteHeader(HeaderKind.Contact, contact);
        }
        // RFC 3327 §5.3: the registrar returns the Path it stored so the UA learns its route.
        foreach (var hop in register.Path) writer.WriteHeader("Path"u8, System.Text.Encoding.UTF8.GetBytes(hop));
        if (outbound) writer.WriteHeader(HeaderKind.Require, "outbound");
        writer.WriteHeader(HeaderKind.Date, now.ToString("r", CultureInfo.InvariantCulture));
    }

    private static string NewTag() => SipIds.NewTag();

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "REGISTERED {Aor} {Contact} via {Flow} for {Seconds} s")]
    private static partial void Registered(ILogger logger, string aor, string contact, string flow, int seconds);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Debug, Message = "Refreshed {Aor} {Contact} for {Seconds} s")]
    private static partial void Refreshed(ILogger logger, string aor, string contact, int seconds);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "UNREGISTERED {Aor} {Contact}")]
    private static partial void Unregistered(ILogger logger, string aor, string contact);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "AUTH FAILED for {User} from {Flow}: {Detail}")]
    private static partial void AuthFailed(ILogger logger, string user, string flow, string detail);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pbx.Sip.Messages;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Transactions;

/// <summary>
/// The transaction layer (RFC 3261 §17, RFC 6026): parses what transports deliver, answers malformed requests
/// statelessly, matches requests and responses to transactions, and drives all timers from one <see cref="TimeProvider"/>.
/// Every path out of a transaction ends in removal from the table (Timers B, D, F, H, I, J, K, L, M or the pending guard).
/// </summary>
public sealed class SipTransactionLayer : ISipReceiver, IDisposable
{
    private readonly ISipSender _transport;
    private readonly ISipTransactionUser _user;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, ServerTransaction> _servers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClientTransaction> _clients = new(StringComparer.Ordinal);

    public SipTransactionLayer(ISipSender transport, ISipTransactionUser user, SipTransactionOptions? options = null,
        SipParseOptions? parseOptions = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _log = logger ?? NullLogger.Instance;
        _transport = transport;
        _user = user;
        Options = options ?? new SipTransactionOptions();
        ParseOptions = parseOptions ?? SipParseOptions.Default;
        Timers = new TimerService(time ?? TimeProvider.System);
    }

    public SipTransactionOptions Options { get; }

    public SipParseOptions ParseOptions { get; }

    public SipLayerCounters Counters { get; } = new();

    internal TimerService Timers { get; }

    public int ServerTransactionCount => _servers.Count;

    public int ClientTransactionCount => _clients.Count;

    /// <summary>Pending timer entries (cancelled ones leave lazily); for leak checks.</summary>
    public int ScheduledTimerCount => Timers.Count;

    /// <summary>Entry point for transports. Never throws.</summary>
    public void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source)
    {
        Interlocked.Increment(ref Counters.Received);
        var result = SipMessage.Parse(message, ParseOptions);
        using var parsed = result.Message;
        try
        {
            if (!result.IsSuccess)
            {
                HandleParseError(result, source);
            }
            else if (parsed!.IsRequest)
            {
                HandleRequest(parsed, source);
            }
            else
            {
                HandleResponse(parsed, source);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A TU bug must not kill the receive loop.
            Interlocked.Increment(ref Counters.HandlerErrors);
            SipLog.HandlerError(_log, ex);
        }
    }

    /// <summary>Starts a client transaction for a request the TU built (top Via with an RFC 3261 branch).</summary>
    public ClientTransaction SendRequest(ReadOnlyMemory<byte> request, SipFlow destination) => SendRequest(request, destination, null);

    /// <summary>Starts a client transaction with <paramref name="owner"/> attached before anything is sent.</summary>
    public ClientTransaction SendRequest(ReadOnlyMemory<byte> request, SipFlow destination, object? owner)
    {
        var result = SipMessage.Parse(request.ToArray(), ParseOptions);
        if (!result.IsSuccess || !result.Message!.IsRequest)
        {
            result.Message?.Dispose();
            throw new ArgumentException($"Not a valid request: {result.ReasonPhrase}", nameof(request));
        }
        var message = result.Message;
        if (message.Method == SipMethod.Ack || !message.TopVia.IsRfc3261Branch)
        {
            message.Dispose();
            throw new ArgumentException("ACK is sent without a transaction, and requests need a z9hG4bK branch.", nameof(request));
        }
        var tx = new ClientTransaction(this, TransactionKeys.ForClient(message), message, destination) { Owner = owner };
        if (!_clients.TryAdd(tx.Key, tx))
        {
            message.Dispose();
            throw new InvalidOperationException("A client transaction with this branch already exists.");
        }
        tx.Start();
        return tx;
    }

    /// <summary>Sends without a transaction: ACK for 2xx, or TU-level 2xx retransmissions.</summary>
    public ValueTask SendStatelessAsync(ReadOnlyMemory<byte> message, SipFlow destination) => _transport.SendAsync(destination, message);

    /// <summary>The INVITE server transaction a CANCEL refers to (RFC 3261 §9.2), if it is still there.</summary>
    public ServerTransaction? FindInviteTransaction(SipMessage cancel) =>
        _servers.TryGetValue(TransactionKeys.ForServer(cancel, "INVITE"u8), out var tx) ? tx : null;

    private void HandleParseError(SipParseResult result, SipFlow source)
    {
        Interlocked.Increment(ref Counters.Malformed);
        if (_log.IsEnabled(LogLevel.Debug)) SipLog.MalformedMessage(_log, source.ToString(), result.Error.ToString(), result.ReasonPhrase);
        var m = result.Message;
        int status = result.SuggestedStatusCode;
        if (m is null || !m.IsRequest || m.Method == SipMethod.Ack || status == 0 || m.CountHeaders(HeaderKind.Via) == 0) return;
        using var response = SipResponseFactory.CreateResponse(m, status, result.ReasonPhrase, SipIds.NewTag(), source.Remote);
        SendBestEffort(response.WrittenMemory, ResponseFlow(m, source));
    }

    private void HandleRequest(SipMessage request, SipFlow source)
    {
        string key = TransactionKeys.ForServer(request);
        if (request.Method == SipMethod.Ack)
        {
            if (_servers.TryGetValue(key, out var invite) && invite.IsInvite)
            {
                if (!invite.OnAck()) return;
            }
            _user.OnAck(request, source);
            return;
        }
        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRequestRetransmission();
            return;
        }
        if (_servers.Count + _clients.Count >= Options.MaxTransactions)
        {
            Interlocked.Increment(ref Counters.Overload);
            SipLog.Overload(_log, _servers.Count + _clients.Count, source.ToString());
            using var busy = SipResponseFactory.CreateResponse(request, 503, "Service Unavailable", SipIds.NewTag(), source.Remote);
            SendBestEffort(busy.WrittenMemory, ResponseFlow(request, source));
            return;
        }
        if (_user.TryRespondStatelessly(request, source) is { } stateless)
        {
            using (stateless) SendBestEffort(stateless.WrittenMemory, ResponseFlow(request, source));
            Interlocked.Increment(ref Counters.Stateless);
            return;
        }
        var tx = new ServerTransaction(this, key, request.Clone(), source);
        if (!_servers.TryAdd(key, tx))
        {
            tx.Request.Dispose();
            if (_servers.TryGetValue(key, out var raced)) raced.OnRequestRetransmission();
            return;
        }
        tx.Start();
        _user.OnRequest(tx);
    }

    private void HandleResponse(SipMessage response, SipFlow source)
    {
        if (Options.DiscardResponsesWithSeveralVias && response.Vias.Length > 1)
        {
            Interlocked.Increment(ref Counters.Discarded);
            if (_log.IsEnabled(LogLevel.Debug)) SipLog.SeveralVias(_log, response.Vias.Length, source.ToString());
            return;
        }
        if (_clients.TryGetValue(TransactionKeys.ForClient(response), out var tx))
        {
            tx.OnResponse(response);
            return;
        }
        _user.OnStrayResponse(response, source);
    }

    private static SipFlow ResponseFlow(SipMessage request, SipFlow source)
    {
        if (source.IsReliable || request.ViaValueCount == 0) return source;
        var via = request.TopVia;
        int port = via.HasRport ? source.Remote.Port : via.Port != 0 ? via.Port : 5060;
        return source with { Remote = new System.Net.IPEndPoint(source.Remote.Address, port) };
    }

    internal void Send(SipTransaction tx, ReadOnlyMemory<byte> data, SipFlow destination)
    {
        Interlocked.Increment(ref Counters.Sent);
        ValueTask pending;
        try
        {
            pending = _transport.SendAsync(destination, data);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SendFailed(tx, destination);
            return;
        }
        if (pending.IsCompletedSuccessfully) return;
        _ = ObserveAsync(pending, tx, destination);
    }

    private async Task ObserveAsync(ValueTask pending, SipTransaction tx, SipFlow destination)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SendFailed(tx, destination);
        }
    }

    private void SendFailed(SipTransaction tx, SipFlow destination)
    {
        Interlocked.Increment(ref Counters.SendErrors);
        SipLog.SendFailed(_log, destination.ToString(), tx.Key);
        tx.OnTransportError();
    }

    private void SendBestEffort(ReadOnlyMemory<byte> data, SipFlow destination)
    {
        try
        {
            var pending = _transport.SendAsync(destination, data.ToArray());
            if (!pending.IsCompletedSuccessfully) _ = pending.AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref Counters.SendErrors);
        }
    }

    internal void Retransmit(SipTransaction tx, ReadOnlyMemory<byte> data, SipFlow destination)
    {
        Interlocked.Increment(ref Counters.Retransmissions);
        Send(tx, data, destination);
    }

    internal void CountAbsorbed() => Interlocked.Increment(ref Counters.Absorbed);

    internal void SendAckForFailure(ClientTransaction tx, SipMessage response)
    {
        using var buffer = new PooledBufferWriter(512);
        SipRequestFactory.WriteAckForFailure(new SipMessageWriter(buffer), tx.Request, response);
        Send(tx, buffer.ToArray(), tx.Flow);
    }

    internal void NotifyResponse(ClientTransaction tx, SipMessage response)
    {
        try
        {
            _user.OnResponse(tx, response);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref Counters.HandlerErrors);
            SipLog.HandlerError(_log, ex);
        }
    }

    /// <summary>Gives the TU a response made here (408 on timeout, 503 on transport failure, RFC 3261 §8.1.3.1).</summary>
    internal void ReportLocalResponse(ClientTransaction tx, int status, string reason)
    {
        using var buffer = SipResponseFactory.CreateResponse(tx.Request, status, reason);
        var result = SipMessage.Parse(buffer.WrittenMemory, ParseOptions);
        using var response = result.Message;
        if (response is not null && result.IsSuccess) NotifyResponse(tx, response);
    }

    internal void Remove(SipTransaction tx)
    {
        bool removed = tx switch
        {
            ServerTransaction s => _servers.TryRemove(new KeyValuePair<string, ServerTransaction>(s.Key, s)),
            ClientTransaction c => _clients.TryRemove(new KeyValuePair<string, ClientTransaction>(c.Key, c)),
            _ => false,
        };
        if (!removed) return;
        try
        {
            _user.OnTransactionTerminated(tx);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref Counters.HandlerErrors);
            SipLog.HandlerError(_log, ex);
        }
        finally
        {
            tx.Request.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var tx in _servers.Values) tx.Shutdown();
        foreach (var tx in _clients.Values) tx.Shutdown();
        Timers.Dispose();
    }
}

/// <summary>Plain counters for metrics and tests (read with Interlocked or Volatile).</summary>
public sealed class SipLayerCounters
{
    public long Received;
    public long Malformed;
    public long Sent;
    public long Retransmissions;
    public long Absorbed;
    public long Discarded;
    public long Overload;
    /// <summary>Requests answered without a transaction (digest challenges).</summary>
    public long Stateless;
    public long SendErrors;
    public long HandlerErrors;
}

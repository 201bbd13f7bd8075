using Microsoft.Extensions.Logging;
using Pbx.Sip.Tests.Helpers;
using Pbx.Sip.Transactions;
using Pbx.Sip.Transports;

namespace Pbx.Sip.Tests.Transactions;

public class FailureTests
{
    private sealed class BrokenSender : ISipSender
    {
        public ValueTask SendAsync(SipFlow destination, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostUnreachable));
    }

    private sealed class CapturingLogger : ILogger
    {
        public List<(int Id, LogLevel Level, string Text)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((eventId.Id, logLevel, formatter(state, exception)));
    }

    private sealed class ThrowingUser : ISipTransactionUser
    {
        public void OnRequest(ServerTransaction transaction) => throw new InvalidOperationException("TU bug");
        public void OnAck(Pbx.Sip.Messages.SipMessage ack, SipFlow source) => throw new InvalidOperationException("TU bug");
        public void OnResponse(ClientTransaction transaction, Pbx.Sip.Messages.SipMessage response) => throw new InvalidOperationException("TU bug");
        public void OnStrayResponse(Pbx.Sip.Messages.SipMessage response, SipFlow source) => throw new InvalidOperationException("TU bug");
        public void OnTransactionTerminated(SipTransaction transaction) => throw new InvalidOperationException("TU bug");
    }

    [Fact]
    public void Transport_failure_ends_the_transaction_with_a_local_503()
    {
        var user = new RecordingUser();
        var log = new CapturingLogger();
        using var layer = new SipTransactionLayer(new BrokenSender(), user, time: new ManualTimeProvider(), logger: log);
        var tx = layer.SendRequest(TestStack.Request("OPTIONS", "z9hG4bKbroken"), new SipFlow(SipTransportKind.Udp, TestStack.PbxAddress));
        Assert.Equal(TerminationReason.TransportError, tx.Reason);
        Assert.Equal(503, Assert.Single(user.Responses).Status);
        Assert.Equal(0, layer.ClientTransactionCount);
        Assert.Contains(log.Entries, e => e.Id == 3004 && e.Text.StartsWith("SEND FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_input_is_logged_with_a_stable_event_id()
    {
        var log = new CapturingLogger();
        using var layer = new SipTransactionLayer(new BrokenSender(), new RecordingUser(), time: new ManualTimeProvider(), logger: log);
        layer.OnMessageReceived(TestMessages.Torture("badinv01"), new SipFlow(SipTransportKind.Udp, TestStack.PhoneAddress));
        var entry = Assert.Single(log.Entries, e => e.Id == 3001);
        Assert.Contains("Bad Request - Malformed Via", entry.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_throwing_tu_does_not_break_the_layer()
    {
        var log = new CapturingLogger();
        using var stack = new TestStack();
        using var layer = new SipTransactionLayer(stack.PbxTransport, new ThrowingUser(), time: stack.Clock, logger: log);
        var from = new SipFlow(SipTransportKind.Udp, TestStack.PhoneAddress);
        layer.OnMessageReceived(TestStack.Request("OPTIONS", "z9hG4bKthrow1"), from);
        layer.OnMessageReceived(TestStack.Request("ACK", "z9hG4bKthrow2"), from);
        Assert.Equal(2, layer.Counters.HandlerErrors);
        Assert.Equal(1, layer.ServerTransactionCount);
        stack.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(0, layer.ServerTransactionCount);
        Assert.Contains(log.Entries, e => e.Id == 3003);
    }
}

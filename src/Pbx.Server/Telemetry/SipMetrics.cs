using System.Diagnostics.Metrics;
using Pbx.Sip.Registrar;
using Pbx.Sip.Security;
using Pbx.Sip.Transactions;

namespace Pbx.Server.Telemetry;

/// <summary>
/// SIP figures as OpenTelemetry instruments, read when scraped: nothing is counted twice, the stack's own counters
/// are the source.
/// </summary>
internal static class SipMetrics
{
    public static void Register(IMeterFactory meters, BindingTable bindings, SourceGuard guard, SipTransactionLayer layer, GuardedReceiver receiver)
    {
        var meter = meters.Create("Pbx.Sip");
        meter.CreateObservableGauge("pbx.sip.registrations", () => bindings.Count, "{binding}", "Current SIP bindings");
        meter.CreateObservableGauge("pbx.sip.bans.active", () => guard.Bans.Count, "{address}", "Source addresses currently banned");
        meter.CreateObservableGauge("pbx.sip.transactions.active", () => layer.ServerTransactionCount + layer.ClientTransactionCount, "{transaction}");
        meter.CreateObservableCounter("pbx.sip.messages.received", () => Interlocked.Read(ref layer.Counters.Received), "{message}");
        meter.CreateObservableCounter("pbx.sip.messages.sent", () => Interlocked.Read(ref layer.Counters.Sent), "{message}");
        meter.CreateObservableCounter("pbx.sip.messages.malformed", () => Interlocked.Read(ref layer.Counters.Malformed), "{message}");
        meter.CreateObservableCounter("pbx.sip.retransmissions", () => Interlocked.Read(ref layer.Counters.Retransmissions), "{message}");
        meter.CreateObservableCounter("pbx.sip.messages.dropped", () => receiver.Dropped, "{message}", "Dropped before parsing: banned or over the rate limit");
    }
}

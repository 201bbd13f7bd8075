using System.Diagnostics.Metrics;
using Pbx.Xmpp.Server;

namespace Pbx.Server.Telemetry;

internal static class XmppMetrics
{
    public static void Register(IMeterFactory meters, XmppServer server)
    {
        var meter = meters.Create("Pbx.Xmpp");
        meter.CreateObservableGauge("pbx.xmpp.connections", () => server.ConnectionCount, "{connection}", "Open XMPP client connections");
    }
}

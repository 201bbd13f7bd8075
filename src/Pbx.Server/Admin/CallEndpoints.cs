using Pbx.Calls.Sip;
using Pbx.Media.Ports;

namespace Pbx.Server.Admin;

/// <summary>Calls in progress and the relay's port use, for admins and for leak checks.</summary>
internal static class CallEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/calls", (B2buaService calls, RtpPortAllocator ports) =>
            TypedResults.Ok(new { calls = calls.Snapshot(), rtpPortPairsInUse = ports.InUseCount, rtpPortPairsTotal = ports.Capacity }));
}

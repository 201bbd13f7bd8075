using Pbx.Calls.Sip;
using Pbx.Media.Ports;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Calls;

namespace Pbx.Server.Admin;

/// <summary>Calls in progress, the relay's port use (for admins and leak checks), and call move.</summary>
internal static class CallEndpoints
{
    private sealed record MoveRequest(string? User, DeviceKind? Device);

    private sealed record CallbackRequest(string? User, string? Destination, DeviceKind? Device);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/calls", (B2buaService calls, RtpPortAllocator ports) =>
            TypedResults.Ok(new { calls = calls.Snapshot(), rtpPortPairsInUse = ports.InUseCount, rtpPortPairsTotal = ports.Capacity }));

        // Callback: the PBX rings the user (the cell by default) and then the destination, showing the desk number.
        api.MapPost("/callback", async (HttpContext http, B2buaService calls, IDirectoryStore directory, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<CallbackRequest>(http);
            if (problem is not null) return problem;
            if (string.IsNullOrWhiteSpace(body!.User) || await directory.FindUserAsync(body.User, ct) is null)
                return Problems.Invalid("user", "name an existing user (login ID)");
            if (string.IsNullOrWhiteSpace(body.Destination) || body.Destination.Any(c => !char.IsAsciiDigit(c) && c is not '+' and not '*' and not '#'))
                return Problems.Invalid("destination", "a number to call: digits, optionally with a leading +");
            var kind = body.Device ?? DeviceKind.CellNumber;
            CallTarget first;
            if (kind is DeviceKind.CellNumber or DeviceKind.Added)
            {
                var devices = await directory.ListDevicesAsync(body.User, ct);
                if (devices.FirstOrDefault(d => d.Kind == kind && d.Number is not null) is not { Number: { } number })
                    return Problems.Invalid("device", $"{body.User} has no {kind} device with a number");
                first = new CallTarget.ExternalNumber(number);
            }
            else
            {
                first = new CallTarget.DevicesOfKind(body.User, kind);
            }
            var callId = calls.StartCallback(body.User, first, body.Destination);
            return TypedResults.Accepted($"/api/calls", new { callId });
        });

        // Push the user's side of a call to another of the user's devices; the far end stays connected.
        api.MapPost("/calls/{callId}/move", async (string callId, HttpContext http, B2buaService calls, IDirectoryStore directory, CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<MoveRequest>(http);
            if (problem is not null) return problem;
            if (string.IsNullOrWhiteSpace(body!.User)) return Problems.Invalid("user", "name the user whose side moves (login ID)");
            CallTarget target;
            switch (body.Device)
            {
                case null:
                    target = new CallTarget.AllDevicesOf(body.User);
                    break;
                case DeviceKind.CellNumber or DeviceKind.Added:
                    var devices = await directory.ListDevicesAsync(body.User, ct);
                    if (devices.FirstOrDefault(d => d.Kind == body.Device && d.Number is not null) is not { Number: { } number })
                        return Problems.Invalid("device", $"{body.User} has no {body.Device} device with a number");
                    target = new CallTarget.ExternalNumber(number);
                    break;
                default:
                    target = new CallTarget.DevicesOfKind(body.User, body.Device.Value);
                    break;
            }
            return await calls.MoveAsync(callId, body.User, target) switch
            {
                CallMoveResult.Moved => TypedResults.Ok(new { moved = true }),
                CallMoveResult.NotAParty => Problems.NotFound("call with that user", $"{callId} / {body.User}"),
                CallMoveResult.NotAnswered => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The other device did not answer; the call stays where it was"),
                _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The call cannot be moved now (a transfer or another move is in progress)"),
            };
        });

        // Three-way conference: the user's call {callId} and the user's other (held) call become one conference.
        api.MapPost("/calls/{callId}/conference", async (string callId, HttpContext http, B2buaService calls) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<ThreeWayRequest>(http);
            if (problem is not null) return problem;
            if (string.IsNullOrWhiteSpace(body!.User)) return Problems.Invalid("user", "name the user who joins the calls (login ID)");
            return calls.StartThreeWay(body.User, callId) switch
            {
                ThreeWayResult.Started => TypedResults.Accepted("/api/conferences/live", new { started = true }),
                ThreeWayResult.NotAParty => Problems.NotFound("connected call with that user", $"{callId} / {body.User}"),
                ThreeWayResult.NoSecondCall => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"{body.User} has no second call to join"),
                ThreeWayResult.TooManyCalls => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: $"{body.User} has more than two calls; hang up the others first"),
                _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Conferences are not available"),
            };
        });
    }

    private sealed record ThreeWayRequest(string? User);
}

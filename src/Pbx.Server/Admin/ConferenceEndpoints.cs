using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Pbx.Server.Configuration;
using Pbx.Telephony.Accounts;
using Pbx.Telephony.Conferences;

namespace Pbx.Server.Admin;

/// <summary>
/// Dial-in rooms (/api/conference-rooms), scheduled conferences with their planned and finished occurrences
/// (/api/conferences) and moderation of the conferences in progress (/api/conferences/live).
/// </summary>
internal static partial class ConferenceEndpoints
{
    private const int DefaultDurationMinutes = 60;

    private sealed record RoomRequest(string? Name, string? Pin, int? MaxParticipants);

    private sealed record ParticipantRequest(string? User, string? Number, bool Moderator, bool PbxCalls);

    /// <param name="Start">A string, not a DateTimeOffset, so a time without a UTC offset is refused instead of read as server-local.</param>
    private sealed record ConferenceRequest(string? Name, string? Start, string? Repetition, int? DurationMinutes, string? Pin,
        List<ParticipantRequest?>? Participants);

    private sealed record MuteRequest(bool? Muted, string? Moderator);

    private sealed record KickRequest(string? Moderator);

    /// <summary>A conference in the request's terms (user, moderator, durationMinutes), with the occurrence that is running or comes next.</summary>
    private sealed record ConferenceView(long Id, string Name, DateTimeOffset Start, string Repetition, int DurationMinutes, string Pin,
        IReadOnlyList<ParticipantRequest> Participants, DateTimeOffset? NextStart);

    public static void Map(RouteGroupBuilder api)
    {
        MapRooms(api.MapGroup("/conference-rooms"));
        MapScheduled(api.MapGroup("/conferences"));
        MapLive(api.MapGroup("/conferences/live"));
    }

    private static void MapRooms(RouteGroupBuilder rooms)
    {
        rooms.MapGet("/", async (IConferenceStore store, CancellationToken ct) => TypedResults.Ok(await store.ListRoomsAsync(ct)));

        rooms.MapGet("/{number}", async (string number, IConferenceStore store, CancellationToken ct) =>
            await store.GetRoomAsync(number, ct) is { } room ? TypedResults.Ok(room) : Problems.NotFound("conference room", number));

        rooms.MapPut("/{number}", async (string number, HttpContext http, IConferenceStore store, IDirectoryStore directory, PbxOptions options,
            CancellationToken ct) =>
        {
            var (body, problem) = await RequestBody.ReadAsync<RoomRequest>(http);
            if (problem is not null) return problem;
            var room = new ConferenceRoomDefinition(number, body!.Name ?? "", body.Pin, body.MaxParticipants ?? 0);
            var errors = InRequestTerms(ConferenceValidation.ValidateRoom(room));
            if (errors.Count > 0) return Problems.Invalid(errors);
            if (await NumberTakenBy(number, directory, options, ct) is { } owner)
                return Problems.From(new DirectoryRuleException(DirectoryFault.Conflict, "number", $"number {number} is already {owner}"));
            await store.SaveRoomAsync(room, ct);
            return TypedResults.Ok(await store.GetRoomAsync(number, ct) ?? room);
        });

        rooms.MapDelete("/{number}", async (string number, IConferenceStore store, CancellationToken ct) =>
            await store.DeleteRoomAsync(number, ct) ? TypedResults.NoContent() : Problems.NotFound("conference room", number));
    }

    // Callers dialling the number would reach only one of the two, so a room may not shadow a directory number or a feature code.
    private static async Task<string?> NumberTakenBy(string number, IDirectoryStore directory, PbxOptions options, CancellationToken ct)
    {
        if (number == options.Calls.CallPullCode) return "the call pull code (Calls:CallPullCode)";
        if (number == options.Calls.CallThroughNumber) return "the call-through number (Calls:CallThroughNumber)";
        if (number == options.Calls.ConferenceAccessNumber) return "the conference access number (Calls:ConferenceAccessNumber)";
        return await directory.FindNumberAsync(number, ct) switch
        {
            { UserLoginId: { } user } => $"assigned to user '{user}'",
            { GroupName: { } group } => $"assigned to group '{group}'",
            _ => null,
        };
    }

    private static void MapScheduled(RouteGroupBuilder conferences)
    {
        conferences.MapGet("/", async (string? state, int? limit, IConferenceStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000) return Problems.Invalid("limit", "must be between 1 and 1000");
            if (state is null || state.Equals("planned", StringComparison.OrdinalIgnoreCase))
            {
                var now = time.GetUtcNow();
                // A conference with no occurrence running or ahead is over: it belongs to the finished list, not here.
                var planned = (await store.ListScheduledAsync(ct)).Select(c => View(c, now)).Where(v => v.NextStart is not null)
                    .OrderBy(v => v.NextStart).ToList();
                return TypedResults.Ok(planned);
            }
            if (state.Equals("finished", StringComparison.OrdinalIgnoreCase))
                return TypedResults.Ok(await store.ListFinishedAsync(limit ?? 100, ct));
            return Problems.Invalid("state", "must be planned or finished");
        });

        conferences.MapGet("/{id:long}", async (long id, IConferenceStore store, TimeProvider time, CancellationToken ct) =>
            await store.GetScheduledAsync(id, ct) is { } conference
                ? TypedResults.Ok(View(conference, time.GetUtcNow()))
                : Problems.NotFound("conference", id.ToString(CultureInfo.InvariantCulture)));

        conferences.MapPost("/", async (HttpContext http, IConferenceStore store, IDirectoryStore directory, TimeProvider time, CancellationToken ct) =>
        {
            var (conference, problem) = await ReadConferenceAsync(http, 0, keptPin: null, directory, ct);
            if (problem is not null) return problem;
            var stored = await store.AddScheduledAsync(conference!, ct);
            return TypedResults.Created($"/api/conferences/{stored.Id}", View(stored, time.GetUtcNow()));
        });

        conferences.MapPut("/{id:long}", async (long id, HttpContext http, IConferenceStore store, IDirectoryStore directory, TimeProvider time,
            CancellationToken ct) =>
        {
            if (await store.GetScheduledAsync(id, ct) is not { } existing) return Problems.NotFound("conference", id.ToString(CultureInfo.InvariantCulture));
            // Leaving the PIN out of an update keeps the one participants were told, rather than drawing a new one.
            var (conference, problem) = await ReadConferenceAsync(http, id, existing.Pin, directory, ct);
            if (problem is not null) return problem;
            if (!await store.UpdateScheduledAsync(conference!, ct)) return Problems.NotFound("conference", id.ToString(CultureInfo.InvariantCulture));
            return TypedResults.Ok(View(await store.GetScheduledAsync(id, ct) ?? conference!, time.GetUtcNow()));
        });

        conferences.MapDelete("/{id:long}", async (long id, IConferenceStore store, CancellationToken ct) =>
            await store.DeleteScheduledAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound("conference", id.ToString(CultureInfo.InvariantCulture)));
    }

    /// <returns>The conference to store, or the problem naming every field at fault.</returns>
    private static async Task<(ScheduledConference? Conference, IResult? Problem)> ReadConferenceAsync(HttpContext http, long id, string? keptPin,
        IDirectoryStore directory, CancellationToken ct)
    {
        var (body, problem) = await RequestBody.ReadAsync<ConferenceRequest>(http);
        if (problem is not null) return (null, problem);
        var errors = new List<FieldError>();
        var start = ParseStart(body!.Start, errors);
        var repetition = ParseRepetition(body.Repetition, errors);
        var participants = new List<ConferenceInvitee>();
        var requested = body.Participants ?? [];
        for (var i = 0; i < requested.Count; i++)
        {
            if (requested[i] is not { } participant)
            {
                errors.Add(new FieldError($"participants[{i}]", "must be an object with user or number"));
                // A stand-in keeps the indices validation reports in step with the request's.
                participants.Add(new ConferenceInvitee(null, null, false, false));
                continue;
            }
            var login = participant.User;
            if (!string.IsNullOrEmpty(login))
            {
                // Stored as the directory spells it, so the call layer matches the user whatever case the admin typed.
                if (await directory.FindUserAsync(login, ct) is { } user) login = user.LoginId;
                else errors.Add(new FieldError($"participants[{i}].user", $"no user with login ID '{login}'"));
            }
            participants.Add(new ConferenceInvitee(login, participant.Number, participant.Moderator, participant.PbxCalls));
        }

        // Stand-ins for unparsable fields let validation judge the rest, so one answer names every fault.
        var conference = new ScheduledConference(id, body.Name ?? "", start ?? DateTimeOffset.UnixEpoch, repetition ?? ConferenceRepetition.Once,
            TimeSpan.FromMinutes(body.DurationMinutes ?? DefaultDurationMinutes), body.Pin ?? keptPin ?? NewPin(), participants);
        var alreadyFaulted = errors.Select(e => e.Field).ToHashSet();
        errors.AddRange(InRequestTerms(ConferenceValidation.Validate(conference)).Where(e => !alreadyFaulted.Contains(e.Field)));
        return errors.Count > 0 ? (null, Problems.Invalid(errors)) : (conference, null);
    }

    private static DateTimeOffset? ParseStart(string? text, List<FieldError> errors)
    {
        if (text is not null && UtcOffsetAtEnd().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            return start;
        const string expected = "ISO 8601 with a UTC offset, e.g. 2026-03-02T09:30:00+01:00";
        errors.Add(new FieldError("start", text is null ? $"required: {expected}" : $"'{text}' is not {expected}"));
        return null;
    }

    private static ConferenceRepetition? ParseRepetition(string? text, List<FieldError> errors)
    {
        if (text is null) return ConferenceRepetition.Once;
        // Names only: Enum.TryParse would also take "2".
        foreach (var repetition in Enum.GetValues<ConferenceRepetition>())
            if (repetition.ToString().Equals(text, StringComparison.OrdinalIgnoreCase)) return repetition;
        errors.Add(new FieldError("repetition", "must be once, daily, weekly or monthly"));
        return null;
    }

    private static string NewPin() => RandomNumberGenerator.GetString("0123456789", 6);

    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$", RegexOptions.IgnoreCase)]
    private static partial Regex UtcOffsetAtEnd();

    // Validation speaks of the stored record (duration, loginId); the admin wrote the request (durationMinutes, user).
    private static List<FieldError> InRequestTerms(IEnumerable<FieldError> errors) => errors.Select(e => e.Field switch
    {
        "duration" => new FieldError("durationMinutes",
            $"must be between {ConferenceValidation.MinDuration.TotalMinutes} and {ConferenceValidation.MaxDuration.TotalMinutes}"),
        _ => new FieldError(e.Field.Replace(".loginId", ".user", StringComparison.Ordinal),
            e.Message.Replace("'loginId'", "'user'", StringComparison.Ordinal)),
    }).ToList();

    private static ConferenceView View(ScheduledConference conference, DateTimeOffset now) => new(
        conference.Id, conference.Name, conference.Start, conference.Repetition.ToString().ToLowerInvariant(), (int)conference.Duration.TotalMinutes,
        conference.Pin, conference.Participants.Select(p => new ParticipantRequest(p.LoginId, p.Number, p.IsModerator, p.PbxCalls)).ToList(),
        ConferenceSchedule.CurrentOccurrence(conference, now) ?? ConferenceSchedule.NextOccurrence(conference, now));

    private static void MapLive(RouteGroupBuilder live)
    {
        live.MapGet("/", (HttpContext http) =>
            http.RequestServices.GetService<ILiveConferences>() is { } conferences ? TypedResults.Ok(conferences.Snapshot()) : NotRunning());

        live.MapPost("/{key}/participants/{participantId}/mute", async (string key, string participantId, HttpContext http) =>
        {
            if (http.RequestServices.GetService<ILiveConferences>() is not { } conferences) return NotRunning();
            var (body, problem) = await ReadOptionalAsync(http, new MuteRequest(null, null));
            if (problem is not null) return problem;
            var moderator = Moderator(body!.Moderator);
            return Answer(conferences.SetMuted(key, participantId, body.Muted ?? true, moderator), key, participantId, moderator);
        });

        live.MapPost("/{key}/participants/{participantId}/kick", async (string key, string participantId, HttpContext http) =>
        {
            if (http.RequestServices.GetService<ILiveConferences>() is not { } conferences) return NotRunning();
            var (body, problem) = await ReadOptionalAsync(http, new KickRequest(null));
            if (problem is not null) return problem;
            var moderator = Moderator(body!.Moderator);
            return Answer(conferences.Kick(key, participantId, moderator), key, participantId, moderator);
        });
    }

    // Without a body the administrator acts (and mutes): the common case needs no JSON at all.
    private static async Task<(T? Value, IResult? Problem)> ReadOptionalAsync<T>(HttpContext http, T empty) where T : class =>
        http.Request.ContentLength == 0 || (http.Request.ContentLength is null && !http.Request.HasJsonContentType())
            ? (empty, null)
            : await RequestBody.ReadAsync<T>(http);

    private static string? Moderator(string? login) => string.IsNullOrWhiteSpace(login) ? null : login;

    private static IResult Answer(ConferenceActionResult result, string key, string participantId, string? moderator) => result switch
    {
        ConferenceActionResult.Done => TypedResults.NoContent(),
        ConferenceActionResult.NoSuchConference => Problems.NotFound("conference in progress", key),
        ConferenceActionResult.NoSuchParticipant => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: $"no participant '{participantId}' in conference '{key}'"),
        ConferenceActionResult.NotAModerator => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not a moderator",
            detail: $"'{moderator}' is not a moderator of conference '{key}'"),
        _ => throw new InvalidOperationException($"unknown conference action result {result}"),
    };

    private static IResult NotRunning() => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Conferences are not available", detail: "this daemon does not run the conference service");
}

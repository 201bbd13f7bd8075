namespace Pbx.Calls;

/// <summary>A call in progress as the admin sees it.</summary>
/// <param name="Phase">Routing (being set up, ringing), Connected.</param>
/// <param name="Parties">The login IDs (or numbers) of the sides connected now, caller side first.</param>
public sealed record ActiveCall(string CallId, string Phase, string CallerNumber, string CalledNumber, IReadOnlyList<string> Parties,
    DateTimeOffset StartedAt, DateTimeOffset? AnsweredAt, bool OnHold);

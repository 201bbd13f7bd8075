using Pbx.Telephony.Accounts;

namespace Pbx.Server.Admin;

/// <summary>RFC 7807 answers that always name the request field at fault under "errors".</summary>
internal static class Problems
{
    public static IResult Invalid(IEnumerable<FieldError> errors) => FieldProblem(StatusCodes.Status400BadRequest, "The request has invalid fields", errors);

    public static IResult Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    public static IResult From(DirectoryRuleException ex) => ex.Fault == DirectoryFault.Conflict
        ? FieldProblem(StatusCodes.Status409Conflict, "Conflict with existing data", [new FieldError(ex.Field, ex.Message)])
        : Invalid(ex.Field, ex.Message);

    public static IResult NotFound(string what, string key) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"no {what} '{key}'");

    private static IResult FieldProblem(int status, string title, IEnumerable<FieldError> errors) =>
        Results.Problem(new HttpValidationProblemDetails(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()))
        {
            Status = status,
            Title = title,
        });
}

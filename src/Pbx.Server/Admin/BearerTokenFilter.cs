using Pbx.Server.Security;

namespace Pbx.Server.Admin;

/// <summary>Every /api request carries "Authorization: Bearer &lt;token&gt;"; anything else gets 401 before any work.</summary>
internal sealed class BearerTokenFilter(AdminToken token) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header.AsSpan(scheme.Length).Trim()))
            return await next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "send the admin token as 'Authorization: Bearer <token>' (see Admin:Token, or the admin-token file in the data directory)");
    }
}

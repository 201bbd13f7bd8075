namespace Pbx.Server.Admin;

internal static class AdminApi
{
    public static void MapAdminApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<BearerTokenFilter>();
        UserEndpoints.Map(api.MapGroup("/users"));
        NumberEndpoints.Map(api.MapGroup("/numbers"));
        DeviceEndpoints.Map(api.MapGroup("/devices"));
        GroupEndpoints.Map(api.MapGroup("/groups"));
        JournalEndpoints.Map(api.MapGroup("/journal"));
        RoutingEndpoints.Map(api);
        SipAdminEndpoints.Map(api);
        TrunkEndpoints.Map(api);
        CallEndpoints.Map(api);
        ConferenceEndpoints.Map(api);
    }
}

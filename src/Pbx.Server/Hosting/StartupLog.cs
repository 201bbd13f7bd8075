namespace Pbx.Server.Hosting;

internal static partial class StartupLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Data directory {Directory}")]
    public static partial void DataDirectory(ILogger logger, string directory);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Admin API token in {File} (pbxctl reads it from there)")]
    public static partial void AdminTokenFile(ILogger logger, string file);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "TLS certificate {How}: {Subject}, SHA-1 thumbprint {Thumbprint}")]
    public static partial void Certificate(ILogger logger, string how, string subject, string thumbprint);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "READY: admin API on {Urls}")]
    public static partial void Ready(ILogger logger, string urls);
}

namespace Pbx.Server.Hosting;

/// <summary>Distinct exit codes so a supervisor or script can tell why the daemon stopped.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int BadConfiguration = 2;
    public const int StorageUnavailable = 3;
    public const int CannotListen = 4;
    public const int Crashed = 70;
}

namespace Pbx.Server.Hosting;

/// <summary>A reason the daemon cannot start, phrased for the admin; printed as one line, never as a stack trace.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);

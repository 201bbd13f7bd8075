using Pbx.Sip.Transports;

namespace Pbx.Sip.Security;

/// <summary>Sits between the transports and the transaction layer: what the guard does not admit is never parsed.</summary>
public sealed class GuardedReceiver(SourceGuard guard, ISipReceiver inner) : ISipReceiver
{
    public long Dropped => Interlocked.Read(ref _dropped);
    private long _dropped;

    public void OnMessageReceived(ReadOnlyMemory<byte> message, SipFlow source)
    {
        if (guard.Admit(source.Remote.Address)) inner.OnMessageReceived(message, source);
        else Interlocked.Increment(ref _dropped);
    }
}

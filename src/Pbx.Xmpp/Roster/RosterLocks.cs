namespace Pbx.Xmpp.Roster;

/// <summary>
/// Serializes read-modify-write cycles on roster items. A subscription change touches two users'
/// rosters, so both stripes are taken in a fixed order to rule out deadlock. These are async
/// semaphores: waiting never blocks a thread.
/// </summary>
internal sealed class RosterLocks
{
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<Releaser> AcquireAsync(string first, string? second, CancellationToken cancellationToken)
    {
        int a = Stripe(first);
        int b = second is null ? a : Stripe(second);
        var (low, high) = a <= b ? (a, b) : (b, a);
        await _stripes[low].WaitAsync(cancellationToken).ConfigureAwait(false);
        if (high != low)
        {
            try
            {
                await _stripes[high].WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _stripes[low].Release();
                throw;
            }
        }
        return new Releaser(_stripes[low], high != low ? _stripes[high] : null);
    }

    private static int Stripe(string user) => (int)((uint)StringComparer.Ordinal.GetHashCode(user) % Stripes);

    public readonly struct Releaser(SemaphoreSlim first, SemaphoreSlim? second) : IDisposable
    {
        public void Dispose()
        {
            second?.Release();
            first.Release();
        }
    }
}

using System.Data;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Pbx.Storage.Sqlite;

/// <summary>
/// Group commit: writes that arrive while a transaction is being committed wait and go together in the next one,
/// so one fsync serves many of them. Each caller's task still completes only after its own row is durable,
/// exactly as with a transaction of its own.
/// </summary>
internal sealed class GroupCommitWriter<T> : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private readonly SqliteDatabase _database;
    private readonly Func<SqliteConnection, IDbTransaction, IReadOnlyList<T>, Task> _write;
    private readonly Channel<(T Item, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(T, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    public GroupCommitWriter(SqliteDatabase database, Func<SqliteConnection, IDbTransaction, IReadOnlyList<T>, Task> write)
    {
        _database = database;
        _write = write;
        _loop = Task.Run(RunAsync);
    }

    public Task WriteAsync(T item, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((item, done))) throw new ObjectDisposedException(nameof(GroupCommitWriter<T>));
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<(T Item, TaskCompletionSource Done)>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await _database.InTransactionAsync(async (connection, tx) =>
                {
                    await _write(connection, tx, batch.ConvertAll(b => b.Item)).ConfigureAwait(false);
                    return 0;
                }).ConfigureAwait(false);
                foreach (var (_, done) in batch) done.TrySetResult();
            }
            catch (Exception ex)
            {
                // The whole batch shared the transaction, so the whole batch shares its failure.
                foreach (var (_, done) in batch) done.TrySetException(ex);
            }
            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}

using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Pbx.Calls.Trunks;

/// <summary>
/// Keeps one trunk registered: REGISTER, refresh before the granted expiry runs out, and after a failure retry with
/// exponential backoff (Polly) until it succeeds. Each failure is logged with the provider's status.
/// </summary>
internal sealed partial class TrunkRegistration : IAsyncDisposable
{
    private readonly string _name;
    private readonly int _expirySeconds;
    private readonly IRegisterTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ResiliencePipeline<RegisterResult> _pipeline;
    private readonly CancellationTokenSource _stop = new();
    private TrunkRegistrationState _state = new TrunkRegistrationState.Registering();
    private int _failures;
    private Task? _loop;

    public TrunkRegistration(string name, int expirySeconds, IRegisterTransport transport, RegistrationRetry retry, TimeProvider time, ILogger log)
    {
        _name = name;
        _expirySeconds = expirySeconds;
        _transport = transport;
        _time = time;
        _log = log;
        _pipeline = new ResiliencePipelineBuilder<RegisterResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<RegisterResult>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { IsSuccess: false }),
                BackoffType = DelayBackoffType.Exponential,
                Delay = retry.FirstDelay,
                MaxDelay = retry.MaxDelay,
                UseJitter = retry.UseJitter,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    OnFailed(args.Outcome.Result!, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public TrunkRegistrationState State => Volatile.Read(ref _state);

    public void Start() => _loop ??= Task.Run(RunAsync);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            RegisterResult result;
            try
            {
                result = await _pipeline.ExecuteAsync(AttemptAsync, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var granted = result.GrantedSeconds > 0 ? result.GrantedSeconds : _expirySeconds;
            var refresh = RefreshDelay(granted);
            var now = _time.GetUtcNow();
            _failures = 0;
            Volatile.Write(ref _state, new TrunkRegistrationState.Registered(now.AddSeconds(granted), now + refresh));
            Registered(_log, _name, granted);
            try
            {
                await Task.Delay(refresh, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async ValueTask<RegisterResult> AttemptAsync(CancellationToken cancellation)
    {
        try
        {
            return await _transport.RegisterAsync(_expirySeconds, cancellation);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // DNS or socket trouble counts as the provider being unreachable, and is retried like any failure.
            return new RegisterResult(503, ex.Message, 0);
        }
    }

    private void OnFailed(RegisterResult result, TimeSpan retryIn)
    {
        _failures++;
        Volatile.Write(ref _state, new TrunkRegistrationState.Failing(result.Status, result.Reason, _time.GetUtcNow() + retryIn, _failures));
        RegisterFailed(_log, _name, result.Status, result.Reason, retryIn.TotalSeconds);
    }

    /// <summary>Refreshes a minute before expiry, or halfway through short grants, so one lost REGISTER can still be retried.</summary>
    internal static TimeSpan RefreshDelay(int grantedSeconds) => TimeSpan.FromSeconds(Math.Max(grantedSeconds * 0.5, grantedSeconds - 60));

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "TRUNK {Trunk} registered for {Seconds} s")]
    private static partial void Registered(ILogger logger, string trunk, int seconds);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "TRUNK {Trunk} REGISTER {Status} {Reason}; next attempt in {Seconds:0} s")]
    private static partial void RegisterFailed(ILogger logger, string trunk, int status, string reason, double seconds);
}

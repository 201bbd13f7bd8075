using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Pbx.Bench.XmppLoad;

/// <summary>
/// XMPP load: logs N clients in with bounded concurrency, then has them send 1:1 chat messages to
/// each other with a bounded window per sender, and reports logins/s, messages/s and latencies.
/// A benchmark: it reports figures and asserts nothing. Exit code 0 unless it could not run at all.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + LoadOptions.Usage);
            return 2;
        }
        var run = new LoadRun(options);
        var result = await run.RunAsync();
        var text = result.ToKeyValues();
        Console.WriteLine(result.Summary());
        if (options.OutFile is not null) await File.WriteAllTextAsync(options.OutFile, text);
        return 0;
    }
}

internal sealed class LoadOptions
{
    public const string Usage =
        "XmppLoad --port P [--host 127.0.0.1] [--domain pbx.bench] [--users 200] [--user-format u{0:000}]\n" +
        "         [--password-format bench-password-{0:000}] [--first-user 1] [--resource bench] [--mechanism SCRAM-SHA-1]\n" +
        "         [--concurrency 20] [--messages 20000] [--window 10] [--sources 4] [--timeout 240] [--login-timeout 30]\n" +
        "         [--settle-max 20] [--label name] [--out file] [--server-pid PID] [--seed 1] [--warmup 1] [--drain-idle 10]";

    public IPAddress Host { get; private set; } = IPAddress.Loopback;
    public int Port { get; private set; }
    public string Domain { get; private set; } = "pbx.bench";
    public int Users { get; private set; } = 200;
    public string UserFormat { get; private set; } = "u{0:000}";
    public string PasswordFormat { get; private set; } = "bench-password-{0:000}";
    public int FirstUser { get; private set; } = 1;
    public string Resource { get; private set; } = "bench";
    public string Mechanism { get; private set; } = "SCRAM-SHA-1";
    public int Concurrency { get; private set; } = 20;
    public int Messages { get; private set; } = 20_000;
    public int Window { get; private set; } = 10;
    public int Sources { get; private set; } = 4;
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(240);
    public TimeSpan LoginTimeout { get; private set; } = TimeSpan.FromSeconds(30);
    public TimeSpan SettleMax { get; private set; } = TimeSpan.FromSeconds(20);
    public string Label { get; private set; } = "server";
    public string? OutFile { get; private set; }
    public int ServerPid { get; private set; }
    public int Seed { get; private set; } = 1;
    public int Warmup { get; private set; } = 1;
    public TimeSpan DrainIdle { get; private set; } = TimeSpan.FromSeconds(10);

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string key = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException("missing value for " + key);
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : throw new ArgumentException("bad number for " + key);
            switch (key)
            {
                case "--host": o.Host = IPAddress.Parse(Value()); break;
                case "--port": o.Port = Int(); break;
                case "--domain": o.Domain = Value(); break;
                case "--users": o.Users = Int(); break;
                case "--user-format": o.UserFormat = Value(); break;
                case "--password-format": o.PasswordFormat = Value(); break;
                case "--first-user": o.FirstUser = Int(); break;
                case "--resource": o.Resource = Value(); break;
                case "--mechanism": o.Mechanism = Value(); break;
                case "--concurrency": o.Concurrency = Math.Max(1, Int()); break;
                case "--messages": o.Messages = Int(); break;
                case "--window": o.Window = Math.Max(1, Int()); break;
                case "--sources": o.Sources = Math.Clamp(Int(), 1, 250); break;
                case "--timeout": o.Timeout = TimeSpan.FromSeconds(Int()); break;
                case "--login-timeout": o.LoginTimeout = TimeSpan.FromSeconds(Int()); break;
                case "--settle-max": o.SettleMax = TimeSpan.FromSeconds(Int()); break;
                case "--label": o.Label = Value(); break;
                case "--out": o.OutFile = Value(); break;
                case "--server-pid": o.ServerPid = Int(); break;
                case "--seed": o.Seed = Int(); break;
                case "--warmup": o.Warmup = Int(); break;
                case "--drain-idle": o.DrainIdle = TimeSpan.FromSeconds(Math.Max(1, Int())); break;
                default: throw new ArgumentException("unknown option " + key);
            }
        }
        if (o.Port is <= 0 or > 65535) throw new ArgumentException("--port is required");
        if (o.Users < 2) throw new ArgumentException("--users must be at least 2");
        return o;
    }

    public string UserName(int index) => string.Format(CultureInfo.InvariantCulture, UserFormat, FirstUser + index);

    public string Password(int index) => string.Format(CultureInfo.InvariantCulture, PasswordFormat, FirstUser + index);

    /// <summary>Loopback source address of client <paramref name="index"/>: 127.0.0.1 .. 127.0.0.Sources, round robin.</summary>
    public IPAddress Source(int index) => new([127, 0, 0, (byte)(1 + index % Sources)]);
}

/// <summary>One logged-in client: its connection, send window and counters.</summary>
internal sealed class Client(int index, XmppConnection connection, int window)
{
    public int Index { get; } = index;
    public XmppConnection Connection { get; } = connection;
    public SemaphoreSlim Window { get; } = new(window, window);
    public Task? Receiver { get; set; }
}

internal sealed class LoadRun(LoadOptions options)
{
    private readonly Client?[] _clients = new Client?[options.Users];
    private readonly double[] _loginMs = new double[options.Users];
    private double[] _messageMs = [];
    private int _loginCount;
    private int _loginFailures;
    private long _presences;
    private long _received;
    private long _sent;
    private long _unexpectedMessages;
    private long _expected = long.MaxValue;
    private long _lastReceiveTicks;
    private volatile bool _stopping;
    private readonly TaskCompletionSource _allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];

    public async Task<LoadResult> RunAsync()
    {
        var result = new LoadResult { Label = options.Label, Users = options.Users, Concurrency = options.Concurrency, Window = options.Window, Mechanism = options.Mechanism };
        using var overall = new CancellationTokenSource(options.Timeout);
        var ct = overall.Token;
        var server = new IPEndPoint(options.Host, options.Port);
        var process = Process.GetCurrentProcess();
        var clientCpu0 = process.TotalProcessorTime;
        try
        {
            // ---------------- warm-up: one untimed login (JIT of the load client, first TLS handshake), then logout
            for (int w = 0; w < options.Warmup && !ct.IsCancellationRequested; w++)
            {
                try
                {
                    await using var warm = await XmppConnection.ConnectAsync(server, options.Source(w), options.Domain, ct).ConfigureAwait(false);
                    await warm.LoginAsync(options.UserName(w % options.Users), options.Password(w % options.Users), "warmup", options.Mechanism)
                        .WaitAsync(options.LoginTimeout, ct).ConfigureAwait(false);
                    await warm.CloseAsync().ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    AddError($"warm-up login: {ex.GetType().Name}: {ex.Message}");
                }
            }
            await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);

            // ---------------- logins
            var cpu0 = ServerCpuSeconds();
            long t0 = Stopwatch.GetTimestamp();
            int next = -1;
            var workers = Enumerable.Range(0, Math.Min(options.Concurrency, options.Users)).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < options.Users && !ct.IsCancellationRequested)
                {
                    await LoginOneAsync(server, i, ct).ConfigureAwait(false);
                }
            }, CancellationToken.None)).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
            long t1 = Stopwatch.GetTimestamp();
            result.LoginSeconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            result.LoginsOk = _loginCount;
            result.LoginsFailed = _loginFailures;
            result.LoginLatencies = Percentiles(_loginMs.Take(_loginCount).ToArray());
            result.ServerCpuLogin = ServerCpuSeconds() - cpu0;

            // ---------------- presence settles (shared rosters make every login fan out)
            long s0 = Stopwatch.GetTimestamp();
            long last = Interlocked.Read(ref _presences);
            var quietSince = Stopwatch.GetTimestamp();
            while (!ct.IsCancellationRequested && Stopwatch.GetElapsedTime(s0) < options.SettleMax && Stopwatch.GetElapsedTime(quietSince) < TimeSpan.FromSeconds(1))
            {
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                long now = Interlocked.Read(ref _presences);
                if (now != last)
                {
                    last = now;
                    quietSince = Stopwatch.GetTimestamp();
                }
            }
            result.SettleSeconds = Stopwatch.GetElapsedTime(s0).TotalSeconds;
            result.PresenceStanzas = Interlocked.Read(ref _presences);

            // ---------------- messages
            var online = _clients.Where(c => c is not null).Select(c => c!).ToArray();
            if (online.Length >= 2 && options.Messages > 0 && !ct.IsCancellationRequested)
            {
                _messageMs = new double[options.Messages];
                Interlocked.Exchange(ref _expected, options.Messages);
                var cpu1 = ServerCpuSeconds();
                long m0 = Stopwatch.GetTimestamp();
                var senders = online.Select((c, k) => Task.Run(() => SendAllAsync(c, online, options.Messages / online.Length + (k < options.Messages % online.Length ? 1 : 0), ct), CancellationToken.None)).ToArray();
                await Task.WhenAll(senders).ConfigureAwait(false);
                Interlocked.Exchange(ref _expected, Interlocked.Read(ref _sent));
                if (Interlocked.Read(ref _received) >= Interlocked.Read(ref _expected)) _allReceived.TrySetResult();
                // Wait for the rest; give up when nothing arrives for DrainIdle (a lost message must not cost the whole timeout).
                long seen = -1;
                long progressAt = Stopwatch.GetTimestamp();
                while (!_allReceived.Task.IsCompleted)
                {
                    if (ct.IsCancellationRequested)
                    {
                        AddError("overall timeout while waiting for messages");
                        break;
                    }
                    long now = Interlocked.Read(ref _received);
                    if (now != seen)
                    {
                        seen = now;
                        progressAt = Stopwatch.GetTimestamp();
                    }
                    else if (Stopwatch.GetElapsedTime(progressAt) > options.DrainIdle)
                    {
                        AddError($"gave up waiting: {Interlocked.Read(ref _expected) - now} messages not delivered after {options.DrainIdle.TotalSeconds:F0} s without progress");
                        break;
                    }
                    await Task.WhenAny(_allReceived.Task, Task.Delay(200, CancellationToken.None)).ConfigureAwait(false);
                }
                long end = Interlocked.Read(ref _lastReceiveTicks);
                result.MessageSeconds = end > m0 ? Stopwatch.GetElapsedTime(m0, end).TotalSeconds : Stopwatch.GetElapsedTime(m0).TotalSeconds;
                result.ServerCpuMessages = ServerCpuSeconds() - cpu1;
                result.MessagesSent = Interlocked.Read(ref _sent);
                result.MessagesReceived = Interlocked.Read(ref _received);
                result.MessageLatencies = Percentiles(_messageMs.Take((int)Math.Min(result.MessagesReceived, _messageMs.Length)).ToArray());
            }
        }
        finally
        {
            _stopping = true;
            await Task.WhenAll(_clients.Where(c => c is not null).Select(c => c!.Connection.CloseAsync())).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            foreach (var c in _clients) if (c is not null) await c.Connection.DisposeAsync().ConfigureAwait(false);
            result.ClientCpu = (process.TotalProcessorTime - clientCpu0).TotalSeconds;
            result.UnexpectedMessages = Interlocked.Read(ref _unexpectedMessages);
            lock (_errors) result.Errors = [.. _errors];
            result.TimedOut = ct.IsCancellationRequested;
        }
        return result;
    }

    private async Task LoginOneAsync(IPEndPoint server, int i, CancellationToken ct)
    {
        long t0 = Stopwatch.GetTimestamp();
        XmppConnection? connection = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.LoginTimeout);
            connection = await XmppConnection.ConnectAsync(server, options.Source(i), options.Domain, timeout.Token).ConfigureAwait(false);
            // Reads cannot be cancelled: on timeout the connection is disposed, which ends the pending read.
            await connection.LoginAsync(options.UserName(i), options.Password(i), options.Resource, options.Mechanism)
                .WaitAsync(timeout.Token).ConfigureAwait(false);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            var client = new Client(i, connection, options.Window);
            int slot = Interlocked.Increment(ref _loginCount) - 1;
            _loginMs[slot] = ms;
            _clients[i] = client;
            Interlocked.Add(ref _presences, connection.SkippedPresences);
            client.Receiver = Task.Run(() => ReceiveLoopAsync(client), CancellationToken.None);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _loginFailures);
            AddError($"login {options.UserName(i)}: {ex.GetType().Name}: {ex.Message}");
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync(Client client)
    {
        try
        {
            // Reads until the connection is disposed, also while stopping, so the server never waits on us.
            while (true)
            {
                var element = await client.Connection.ReadElementAsync().ConfigureAwait(false);
                switch (element.Name.LocalName)
                {
                    case "presence":
                        Interlocked.Increment(ref _presences);
                        break;
                    case "message" when !_stopping:
                        OnMessage(element);
                        break;
                    case "iq" when !_stopping && (string?)element.Attribute("type") is "get" or "set":
                        // Be polite to server-initiated requests (e.g. pings): answer with an error.
                        string id = System.Security.SecurityElement.Escape((string?)element.Attribute("id") ?? "");
                        string from = System.Security.SecurityElement.Escape((string?)element.Attribute("from") ?? options.Domain);
                        await client.Connection.SendAsync($"<iq type='error' id='{id}' to='{from}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>").ConfigureAwait(false);
                        break;
                    case "error":
                        if (!_stopping) AddError($"{options.UserName(client.Index)}: stream error {element}");
                        return;
                }
            }
        }
        catch (Exception ex)
        {
            if (!_stopping) AddError($"{options.UserName(client.Index)} receive: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void OnMessage(System.Xml.Linq.XElement element)
    {
        long now = Stopwatch.GetTimestamp();
        var body = element.Elements().FirstOrDefault(e => e.Name.LocalName == "body")?.Value;
        // body: "bench <sender index> <seq> <stopwatch timestamp>"
        var parts = body?.Split(' ');
        if (parts is not { Length: 4 } || parts[0] != "bench"
            || !int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int sender)
            || !long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long sentAt)
            || sender < 0 || sender >= _clients.Length || (string?)element.Attribute("type") == "error")
        {
            Interlocked.Increment(ref _unexpectedMessages);
            return;
        }
        long n = Interlocked.Increment(ref _received);
        if (n <= _messageMs.Length) _messageMs[n - 1] = Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds;
        Interlocked.Exchange(ref _lastReceiveTicks, now);
        _clients[sender]?.Window.Release();
        if (n >= Interlocked.Read(ref _expected)) _allReceived.TrySetResult();
    }

    private async Task SendAllAsync(Client client, Client[] online, int count, CancellationToken ct)
    {
        var random = new Random(options.Seed * 100_003 + client.Index);
        try
        {
            for (int k = 0; k < count; k++)
            {
                await client.Window.WaitAsync(ct).ConfigureAwait(false);
                Client target;
                do target = online[random.Next(online.Length)];
                while (target.Index == client.Index);
                string to = target.Connection.FullJid ?? $"{options.UserName(target.Index)}@{options.Domain}/{options.Resource}";
                string body = string.Create(CultureInfo.InvariantCulture, $"bench {client.Index} {k} {Stopwatch.GetTimestamp()}");
                await client.Connection.SendAsync($"<message to='{to}' type='chat' id='m{client.Index}-{k}'><body>{body}</body></message>").ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
        }
        catch (OperationCanceledException)
        {
            AddError($"{options.UserName(client.Index)}: overall timeout while sending");
        }
        catch (Exception ex)
        {
            AddError($"{options.UserName(client.Index)} send: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void AddError(string error)
    {
        lock (_errors) _errors.Add(error);
    }

    /// <summary>utime + stime of the server process (and its threads) from /proc, in seconds; NaN when unknown.</summary>
    private double ServerCpuSeconds()
    {
        if (options.ServerPid <= 0) return double.NaN;
        try
        {
            var stat = File.ReadAllText($"/proc/{options.ServerPid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 0 is state; utime and stime are fields 11 and 12.
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return ticks / 100.0; // USER_HZ is 100 on Linux
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private static Percentile Percentiles(double[] values)
    {
        if (values.Length == 0) return new Percentile(double.NaN, double.NaN, double.NaN, double.NaN);
        Array.Sort(values);
        double At(double p) => values[Math.Clamp((int)Math.Ceiling(p * values.Length) - 1, 0, values.Length - 1)];
        return new Percentile(At(0.50), At(0.99), values[^1], values.Average());
    }
}

internal readonly record struct Percentile(double P50, double P99, double Max, double Mean);

internal sealed class LoadResult
{
    public string Label { get; init; } = "";
    public int Users { get; init; }
    public int Concurrency { get; init; }
    public int Window { get; init; }
    public string Mechanism { get; init; } = "";
    public int LoginsOk { get; set; }
    public int LoginsFailed { get; set; }
    public double LoginSeconds { get; set; }
    public Percentile LoginLatencies { get; set; } = new(double.NaN, double.NaN, double.NaN, double.NaN);
    public double SettleSeconds { get; set; }
    public long PresenceStanzas { get; set; }
    public long MessagesSent { get; set; }
    public long MessagesReceived { get; set; }
    public long UnexpectedMessages { get; set; }
    public double MessageSeconds { get; set; }
    public Percentile MessageLatencies { get; set; } = new(double.NaN, double.NaN, double.NaN, double.NaN);
    public double ServerCpuLogin { get; set; } = double.NaN;
    public double ServerCpuMessages { get; set; } = double.NaN;
    public double ClientCpu { get; set; }
    public bool TimedOut { get; set; }
    public IReadOnlyList<string> Errors { get; set; } = [];

    public double LoginsPerSecond => LoginSeconds > 0 ? LoginsOk / LoginSeconds : double.NaN;
    public double MessagesPerSecond => MessageSeconds > 0 ? MessagesReceived / MessageSeconds : double.NaN;

    private static string F(double v, int decimals = 2) => double.IsNaN(v) ? "n/a" : v.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public string ToKeyValues()
    {
        var b = new StringBuilder();
        void Kv(string k, string v) => b.Append(k).Append('=').Append(v).Append('\n');
        Kv("label", Label);
        Kv("users", Users.ToString(CultureInfo.InvariantCulture));
        Kv("mechanism", Mechanism);
        Kv("logins_ok", LoginsOk.ToString(CultureInfo.InvariantCulture));
        Kv("logins_failed", LoginsFailed.ToString(CultureInfo.InvariantCulture));
        Kv("login_seconds", F(LoginSeconds, 3));
        Kv("logins_per_s", F(LoginsPerSecond, 1));
        Kv("login_p50_ms", F(LoginLatencies.P50));
        Kv("login_p99_ms", F(LoginLatencies.P99));
        Kv("login_max_ms", F(LoginLatencies.Max));
        Kv("presence_stanzas", PresenceStanzas.ToString(CultureInfo.InvariantCulture));
        Kv("settle_seconds", F(SettleSeconds, 1));
        Kv("messages_sent", MessagesSent.ToString(CultureInfo.InvariantCulture));
        Kv("messages_received", MessagesReceived.ToString(CultureInfo.InvariantCulture));
        Kv("messages_undelivered", (MessagesSent - MessagesReceived).ToString(CultureInfo.InvariantCulture));
        Kv("message_seconds", F(MessageSeconds, 3));
        Kv("messages_per_s", F(MessagesPerSecond, 0));
        Kv("msg_p50_ms", F(MessageLatencies.P50));
        Kv("msg_p99_ms", F(MessageLatencies.P99));
        Kv("msg_max_ms", F(MessageLatencies.Max));
        Kv("server_cpu_login_s", F(ServerCpuLogin));
        Kv("server_cpu_messages_s", F(ServerCpuMessages));
        Kv("server_cpu_ms_per_login", F(LoginsOk > 0 ? ServerCpuLogin * 1000 / LoginsOk : double.NaN, 3));
        Kv("server_cpu_us_per_message", F(MessagesReceived > 0 ? ServerCpuMessages * 1e6 / MessagesReceived : double.NaN, 1));
        Kv("client_cpu_s", F(ClientCpu));
        Kv("timed_out", TimedOut ? "yes" : "no");
        Kv("errors", Errors.Count.ToString(CultureInfo.InvariantCulture));
        Kv("first_error", Errors.Count > 0 ? Errors[0].ReplaceLineEndings(" ") : "");
        return b.ToString();
    }

    public string Summary()
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"[{Label}] logins: {LoginsOk}/{Users} ok ({LoginsFailed} failed) in {F(LoginSeconds, 2)} s = {F(LoginsPerSecond, 1)}/s, ")
         .Append(CultureInfo.InvariantCulture, $"latency p50 {F(LoginLatencies.P50)} ms p99 {F(LoginLatencies.P99)} ms max {F(LoginLatencies.Max)} ms; presence stanzas received {PresenceStanzas}\n");
        b.Append(CultureInfo.InvariantCulture, $"[{Label}] messages: {MessagesReceived}/{MessagesSent} delivered in {F(MessageSeconds, 2)} s = {F(MessagesPerSecond, 0)}/s, ")
         .Append(CultureInfo.InvariantCulture, $"latency p50 {F(MessageLatencies.P50)} ms p99 {F(MessageLatencies.P99)} ms max {F(MessageLatencies.Max)} ms\n");
        b.Append(CultureInfo.InvariantCulture, $"[{Label}] server CPU: logins {F(ServerCpuLogin)} s, messages {F(ServerCpuMessages)} s; load client CPU {F(ClientCpu)} s; timed out: {(TimedOut ? "yes" : "no")}; errors: {Errors.Count}");
        foreach (var e in Errors.Take(5)) b.Append("\n  ").Append(e);
        return b.ToString();
    }
}

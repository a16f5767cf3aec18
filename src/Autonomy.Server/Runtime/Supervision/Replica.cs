using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Health;
using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;
using Autonomy.Server.Runtime.State;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// One replica of a service: waits for its dependencies, runs its process in a group of its own,
/// probes its health, and restarts it as its policy says, with backoff. Stopping it reaches its
/// whole process tree.
/// </summary>
internal sealed class Replica
{
    private readonly ServiceRuntime _service;
    private readonly RestartBackoff _backoff;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TimeSpan> _restartDelays = [];
    private NativeProcess? _process;
    private Task? _run;
    private bool _restartForHealth;

    public Replica(ServiceRuntime service, int index, int port)
    {
        _service = service;
        Index = index;
        Id = $"{service.Name}-{index}";
        Port = port;
        Version = Registry.PlanVersion.Of(service.Plan);
        var options = service.Supervisor.Options;
        var delay = service.Plan.Service.Restart.Delay ?? options.RestartDelay;
        _backoff = new RestartBackoff(delay, options.MaxRestartDelay, options.StableAfter, options.RestartJitter);
    }

    public string Id { get; }

    public int Index { get; }

    public int Port { get; }

    /// <summary>A hash of the plan it was started from: replicas of an older spec have another.</summary>
    public string Version { get; }

    public ReplicaState State { get; private set; } = ReplicaState.Waiting;

    public HealthStatus Health { get; private set; } = HealthStatus.None;

    public int Restarts { get; private set; }

    public int? ExitCode { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public string? LastCheck { get; private set; }

    /// <summary>True once its process has run at least once.</summary>
    public bool HasStarted { get; private set; }

    /// <summary>The delays waited before each restart, in order (for status and tests).</summary>
    public IReadOnlyList<TimeSpan> RestartDelays
    {
        get
        {
            lock (_restartDelays)
            {
                return [.. _restartDelays];
            }
        }
    }

    /// <summary>Serves traffic: running, and healthy where the service has a health check.</summary>
    /// <summary>
    /// Set while a rolling restart takes it out: it keeps running and finishes what it was serving, but gets no new
    /// traffic (the registry shows it as draining).
    /// </summary>
    public bool Draining { get; set; }

    public bool IsReady => State == ReplicaState.Running && Health is HealthStatus.Healthy or HealthStatus.None;

    /// <summary>The pid of its process (the leader of its process group) while one runs.</summary>
    public int? Pid => _process?.Pid;

    public ReplicaStatus Status()
    {
        var pid = Pid;
        var usage = pid is { } leader ? _service.Supervisor.Usage.For(leader) : null;
        return new(Id, pid, Port, State, Health, Restarts, StartedAt, ExitCode, LastCheck, Draining, usage?.CpuPercent, usage?.MemoryBytes);
    }

    public void Start() => _run = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        // Out of the rotation first, so that no new connection is sent to a replica on its way out.
        if (State == ReplicaState.Running)
        {
            SetState(ReplicaState.Stopping);
        }
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
        }
        SetState(ReplicaState.Stopped);
    }

    private async Task RunAsync()
    {
        var supervisor = _service.Supervisor;
        var policy = _service.Plan.Service.Restart;
        var attempts = 0;
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            if (!first)
            {
                // Every restart waits for the dependencies again, so the start order holds on every start.
                SetState(ReplicaState.Waiting);
                try
                {
                    await supervisor.WaitForDependenciesAsync(_service.Plan, failFast: false, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            first = false;

            var started = DateTimeOffset.UtcNow;
            var exit = await RunOnceAsync();
            if (_stop.IsCancellationRequested)
            {
                break;
            }
            var ranFor = DateTimeOffset.UtcNow - started;
            attempts++;
            var failed = exit != 0 || _restartForHealth;
            var again = policy.Kind switch
            {
                RestartKind.Always or RestartKind.UnlessStopped => true,
                RestartKind.OnFailure => failed && (policy.MaxAttempts is not { } max || attempts <= max),
                _ => false,
            };
            if (!again)
            {
                SetState(ReplicaState.Exited);
                break;
            }
            var delay = _backoff.Next(ranFor);
            lock (_restartDelays)
            {
                _restartDelays.Add(delay);
            }
            SetState(ReplicaState.Restarting);
            Log(LogStream.System, $"restarting in {delay.TotalSeconds:0.0##} s");
            try
            {
                await Task.Delay(delay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            Restarts++;
        }
    }

    /// <summary>Runs the process once; returns its exit code (127 when it could not start at all).</summary>
    private async Task<int> RunOnceAsync()
    {
        var plan = _service.Plan;
        var supervisor = _service.Supervisor;
        if (plan.EmbeddedBroker is not null)
        {
            return await StandInAsync(plan);
        }
        _restartForHealth = false;
        Dictionary<string, string> environment;
        try
        {
            environment = supervisor.EnvironmentFor(plan, this);
        }
        catch (SecretDeliveryException e)
        {
            Release();
            Log(LogStream.System, $"could not start: {e.Message}");
            ExitCode = 127;
            return 127;
        }
        NativeProcess process;
        try
        {
            process = NativeProcess.Start(new ProcessSpec(plan.Program, [.. plan.Command.Skip(1)], plan.WorkingDirectory, environment));
        }
        catch (ProcessStartException e)
        {
            Release();
            Log(LogStream.System, $"could not start {plan.Command[0]} (from {plan.CommandSource}): {e.Message}");
            ExitCode = 127;
            return 127;
        }
        await using (process)
        {
            _process = process;
            StartedAt = DateTimeOffset.UtcNow;
            HasStarted = true;
            ExitCode = null;
            supervisor.Records.Write(new ReplicaRecord(plan.Name, Id, process.Pid, process.StartTime, supervisor.BootId));
            Log(LogStream.System, $"started {plan.Command[0]} (pid {process.Pid}, port {Port})");
            Health = plan.Health is null ? HealthStatus.None : HealthStatus.Starting;
            SetState(ReplicaState.Running);

            var pumps = Task.WhenAll(
                supervisor.Logs.PumpAsync(process.StandardOutput, plan.Name, Id, LogStream.Stdout),
                supervisor.Logs.PumpAsync(process.StandardError, plan.Name, Id, LogStream.Stderr));
            using var monitorStop = new CancellationTokenSource();
            var monitor = plan.Health is { } spec ? MonitorAsync(spec, environment, process, monitorStop.Token) : Task.CompletedTask;

            var exited = process.Exited;
            var stopRequested = Task.Delay(Timeout.Infinite, _stop.Token);
            if (await Task.WhenAny(exited, stopRequested) != exited)
            {
                SetState(ReplicaState.Stopping);
                await process.StopAsync(Signals.Parse(plan.Service.StopSignal), plan.Service.StopGracePeriod);
            }
            var result = await exited;
            await monitorStop.CancelAsync();
            await IgnoreCancellation(monitor);
            await pumps.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
            supervisor.Records.Remove(Id);
            Release();
            ExitCode = result.ExitCode;
            _process = null;
            Log(LogStream.System, result.Signal is { } signal ? $"exited: killed by signal {signal}" : $"exited with code {result.ExitCode}");
            return result.ExitCode;
        }
    }

    /// <summary>
    /// The replica of a service the embedded broker serves: there is no process to run (the broker lives in the
    /// server's own process), so it is running at once, and its health is the probe of the broker's AMQP port
    /// that its plan names. It ends only when stopped; an unhealthy broker is not restarted from here.
    /// </summary>
    private async Task<int> StandInAsync(ServicePlan plan)
    {
        if (Port == 0)
        {
            Log(LogStream.System, $"could not start: {plan.CommandSource} runs only in Autonomy's server");
            ExitCode = 127;
            return 127;
        }
        StartedAt = DateTimeOffset.UtcNow;
        HasStarted = true;
        ExitCode = null;
        Log(LogStream.System, $"served by {plan.CommandSource}, on 127.0.0.1:{Port}");
        Health = plan.Health is null ? HealthStatus.None : HealthStatus.Starting;
        SetState(ReplicaState.Running);
        if (plan.Health is { } spec)
        {
            await IgnoreCancellation(MonitorAsync(spec, new Dictionary<string, string>(), null, _stop.Token));
        }
        else
        {
            await IgnoreCancellation(Task.Delay(Timeout.Infinite, _stop.Token));
        }
        return 0;
    }

    /// <summary>What the replica held only while its process ran: its token and its secret files.</summary>
    private void Release()
    {
        _service.Supervisor.Credentials?.Revoke(Id);
        _service.Supervisor.SecretFiles.Remove(Id);
    }

    private async Task MonitorAsync(HealthSpec spec, IReadOnlyDictionary<string, string> environment, NativeProcess? process, CancellationToken ct)
    {
        IHealthProbe probe = spec.Kind switch
        {
            HealthProbeKind.Http => new HttpHealthProbe(Port, spec.HttpPath!),
            HealthProbeKind.Tcp => new TcpHealthProbe(Port),
            _ => new CommandHealthProbe(spec.Command, _service.Plan.WorkingDirectory, environment),
        };
        var monitor = new HealthMonitor(spec, probe, TimeProvider.System);
        await monitor.RunAsync((status, result) =>
        {
            Health = status;
            LastCheck = result.Output;
            Log(LogStream.System, $"health: {status.ToString().ToLowerInvariant()} ({result.Output})");
            _service.NotifyChanged();
            if (status == HealthStatus.Unhealthy && process is not null && _service.Plan.Service.Restart.Kind != RestartKind.No)
            {
                // An unhealthy replica is replaced as a crashed one would be.
                _restartForHealth = true;
                _ = process.StopAsync(Signals.Parse(_service.Plan.Service.StopSignal), _service.Plan.Service.StopGracePeriod);
            }
        }, ct);
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void SetState(ReplicaState state)
    {
        State = state;
        _service.NotifyChanged();
    }

    private void Log(LogStream stream, string text) =>
        _service.Supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, _service.Name, Id, stream, text));
}

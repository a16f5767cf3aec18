using Autonomy.Server.Runtime.Logs;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;

namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// Runs a service's <c>x-autonomy.setup</c> command (dependencies to install, a build step: what
/// the Dockerfile's RUN lines would have done) once before its first replica, in the service's
/// environment. Its output goes to the service's log; a failure stops <c>up</c> with that output.
/// </summary>
internal sealed class SetupRunner(Supervisor supervisor)
{
    public async Task RunAsync(ServicePlan plan, IReadOnlyList<string> command, CancellationToken ct)
    {
        var replicaId = $"{plan.Name}-setup";
        // The service's database is there before its setup runs, so that a setup may migrate it.
        var platform = new Dictionary<string, string>(supervisor.Databases?.VariablesFor(plan.Name) ?? new Dictionary<string, string>())
        {
            ["AUTONOMY_SERVICE"] = plan.Name,
            ["AUTONOMY_INSTANCE"] = replicaId,
        };
        // And its queue, so that a setup may declare what the service needs.
        foreach (var (key, value) in supervisor.Messaging?.VariablesFor(plan.Name) ?? new Dictionary<string, string>())
        {
            platform[key] = value;
        }
        var environment = Planning.ReplicaEnvironment.Build(supervisor.Inherited, plan, platform);
        var program = ProgramResolver.Resolve(command[0], plan.WorkingDirectory, environment.GetValueOrDefault("PATH"))
            ?? throw new ServiceStartException(plan.Name, $"cannot run its setup: the program '{command[0]}' is not on PATH", []);
        supervisor.Logs.Write(new LogLine(DateTimeOffset.UtcNow, plan.Name, replicaId, LogStream.System, $"setup: {string.Join(' ', command)}"));
        NativeProcess process;
        try
        {
            process = NativeProcess.Start(new ProcessSpec(program, [.. command.Skip(1)], plan.WorkingDirectory, environment));
        }
        catch (ProcessStartException e)
        {
            throw new ServiceStartException(plan.Name, $"cannot run its setup: {e.Message}", []);
        }
        await using (process)
        {
            var pumps = Task.WhenAll(
                supervisor.Logs.PumpAsync(process.StandardOutput, plan.Name, replicaId, LogStream.Stdout, ct),
                supervisor.Logs.PumpAsync(process.StandardError, plan.Name, replicaId, LogStream.Stderr, ct));
            ProcessExit exit;
            try
            {
                exit = await process.Exited.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                await process.StopAsync(Signals.SIGTERM, TimeSpan.FromSeconds(5), CancellationToken.None);
                throw;
            }
            await pumps;
            if (exit.ExitCode != 0)
            {
                var lines = supervisor.Logs.Tail(plan.Name, 200).Where(l => l.Replica == replicaId).Select(l => l.Text).TakeLast(supervisor.Options.FailureLogLines).ToList();
                throw new ServiceStartException(plan.Name, $"setup '{string.Join(' ', command)}' failed with exit code {exit.ExitCode}", lines);
            }
        }
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Autonomy.Console;
using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy run SERVICE [CMD...]</c>: a one-off process with the service's environment, working
/// directory and secrets (a migration, a shell), attached to this terminal; its exit code is the command's.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("SERVICE") { Description = "The service whose environment to use" };
        var commandLine = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore, Description = "What to run (default: the service's own command)" };
        var command = new Command("run", "Run a one-off command with a service's environment") { service, commandLine };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            var name = parse.GetValue(service)!;
            if (context.Project.FindService(name) is not { } definition)
            {
                await System.Console.Error.WriteLineAsync($"error: no service '{name}' in the project (services: {string.Join(", ", context.Project.Services.Select(s => s.Name))})");
                return 1;
            }
            var options = new SupervisorOptions { StateDirectory = context.StateDirectory };
            var inherited = Server.Compose.Loading.ComposeLoader.ProcessEnvironment();
            ServicePlan plan;
            ReplicaSecretFiles secrets;
            try
            {
                // The same secrets its replicas get, from the same store, in a folder of this command's own.
                var values = definition.Secrets.Count > 0 ? new StoredSecretValues(SecretStore.OpenIn(context.StateDirectory, inherited)) : null;
                plan = new ServicePlanner(context.Project, options, new PortAllocator(), values).PlanAll([definition]).Single(p => p.Name == definition.Name);
                secrets = new ReplicaSecretFiles(context.StateDirectory, () => context.Project, inherited, [], oneOff: true) { Values = values };
            }
            catch (ServicePlanException e)
            {
                await System.Console.Error.WriteLineAsync(string.Join("\n", e.Problems.Select(p => "error: " + p)));
                return 1;
            }
            catch (MasterKeyException e)
            {
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            if (plan.EmbeddedBroker is { } image)
            {
                await System.Console.Error.WriteLineAsync($"error: service '{name}' is the image {image.Image}, served by Autonomy's embedded broker: it has no program to run (autonomy up serves it)");
                return 1;
            }
            var words = (parse.GetValue(commandLine) ?? []).Concat(parse.UnmatchedTokens).ToList();
            IReadOnlyList<string> argv = words.Count > 0 ? words : plan.Command;
            var platform = new Dictionary<string, string>
            {
                ["PORT"] = new PortAllocator().Allocate().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["AUTONOMY_PROJECT"] = context.Project.Name,
                ["AUTONOMY_SERVICE"] = name,
                ["AUTONOMY_INSTANCE"] = $"{name}-run",
            };
            try
            {
                foreach (var (key, value) in secrets.Deliver(plan, $"{name}-run"))
                {
                    platform[key] = value;
                }
            }
            catch (SecretDeliveryException e)
            {
                secrets.RemoveAll();
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            try
            {
                return await RunAsync(plan, argv, ReplicaEnvironment.Build(inherited, plan, platform));
            }
            finally
            {
                secrets.RemoveAll();
            }
        });
        return command;
    }

    /// <summary>
    /// Runs the command attached to this terminal and returns its exit code. Ctrl-C reaches it from the
    /// terminal; this process outlives it (a SIGTERM sent here is passed on), so its secrets are removed after.
    /// </summary>
    private static async Task<int> RunAsync(ServicePlan plan, IReadOnlyList<string> argv, Dictionary<string, string> environment)
    {
        var program = ProgramResolver.Resolve(argv[0], plan.WorkingDirectory, environment.GetValueOrDefault("PATH"));
        if (program is null)
        {
            await System.Console.Error.WriteLineAsync($"error: the program '{argv[0]}' is not on PATH");
            return 127;
        }
        var start = new ProcessStartInfo(program) { WorkingDirectory = plan.WorkingDirectory, UseShellExecute = false };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => signal.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, signal => signal.Cancel = true);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            _ = Server.Runtime.Processes.LibC.Kill(process.Id, Server.Runtime.Processes.Signals.SIGTERM);
        });
        await process.WaitForExitAsync(CancellationToken.None);
        return process.ExitCode;
    }
}

using System.CommandLine;
using System.Diagnostics;
using Autonomy.Console;
using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy run SERVICE [CMD...]</c>: a one-off process with the service's environment and working
/// directory (a migration, a shell), attached to this terminal; its exit code is the command's.
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
            ServicePlan plan;
            try
            {
                plan = new ServicePlanner(context.Project, options, new PortAllocator()).PlanAll([definition]).Single(p => p.Name == definition.Name);
            }
            catch (ServicePlanException e)
            {
                await System.Console.Error.WriteLineAsync(string.Join("\n", e.Problems.Select(p => "error: " + p)));
                return 1;
            }
            var words = (parse.GetValue(commandLine) ?? []).Concat(parse.UnmatchedTokens).ToList();
            IReadOnlyList<string> argv = words.Count > 0 ? words : plan.Command;
            var environment = ReplicaEnvironment.Build(Server.Compose.Loading.ComposeLoader.ProcessEnvironment(), plan, new Dictionary<string, string>
            {
                ["PORT"] = new PortAllocator().Allocate().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["AUTONOMY_PROJECT"] = context.Project.Name,
                ["AUTONOMY_SERVICE"] = name,
                ["AUTONOMY_INSTANCE"] = $"{name}-run",
            });
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
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        });
        return command;
    }
}

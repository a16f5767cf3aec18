using System.CommandLine;
using System.Runtime.InteropServices;
using Autonomy.Console;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy up</c>: runs the project's services natively in the foreground, printing their logs,
/// until Ctrl-C or SIGTERM, then stops every one of them cleanly.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var services = new Argument<string[]>("SERVICE") { Description = "Only these services (and what they depend on)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("up", "Start the services natively and supervise them until Ctrl-C") { services };
        command.SetAction(async (parse, ct) =>
        {
            Server.Compose.Model.ComposeProject project;
            try
            {
                project = ComposeLoader.Load(ProjectOptions.LoadOptions(parse));
            }
            catch (ComposeException e)
            {
                DiagnosticPrinter.PrintFailure(e);
                return 1;
            }
            DiagnosticPrinter.Print(project.Warnings);

            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stopping.Cancel();
            });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stopping.Cancel();
            });

            var state = Path.Combine(project.ProjectDirectory, ".autonomy", project.Name);
            await using var supervisor = new Supervisor(project, new SupervisorOptions { StateDirectory = state });
            var printer = Task.Run(() => PrintLogsAsync(supervisor, stopping.Token), CancellationToken.None);
            try
            {
                await supervisor.UpAsync(parse.GetValue(services), stopping.Token);
                foreach (var warning in supervisor.Warnings)
                {
                    await System.Console.Error.WriteLineAsync($"warning: {warning}");
                }
                foreach (var service in supervisor.Status())
                {
                    await System.Console.Out.WriteLineAsync($"{service.Name}: ready on http://127.0.0.1:{service.Port} ({service.Replicas.Count} replica{(service.Replicas.Count == 1 ? "" : "s")})");
                }
                await Task.Delay(Timeout.Infinite, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                await System.Console.Out.WriteLineAsync("stopping…");
            }
            catch (ServicePlanException e)
            {
                await System.Console.Error.WriteLineAsync(string.Join("\n", e.Problems.Select(p => "error: " + p)));
                return 1;
            }
            catch (ServiceStartException e)
            {
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                foreach (var line in e.LastLogLines)
                {
                    await System.Console.Error.WriteLineAsync($"  {line}");
                }
                return 1;
            }
            finally
            {
                await supervisor.DownAsync();
                await stopping.CancelAsync();
                await printer.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            return 0;
        });
        return command;
    }

    private static async Task PrintLogsAsync(Supervisor supervisor, CancellationToken ct)
    {
        await foreach (var line in supervisor.FollowLogs(ct))
        {
            await System.Console.Out.WriteLineAsync($"{line.Replica} | {line.Text}");
        }
    }
}

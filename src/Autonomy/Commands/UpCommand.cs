using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Autonomy.Console;
using Autonomy.Server.Api;
using Autonomy.Server.Hosting;
using Autonomy.Server.Runtime;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy up</c>: runs the control plane and the project's services natively. In the
/// foreground it prints their logs until Ctrl-C or SIGTERM, then stops every one of them; with
/// <c>-d</c> it starts itself detached and returns once every service is ready, or fails with why.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var services = new Argument<string[]>("SERVICE") { Description = "Only these services (and what they depend on)", Arity = ArgumentArity.ZeroOrMore };
        var detach = new Option<bool>("--detach", "-d") { Description = "Run in the background; return once every service is ready" };
        var command = new Command("up", "Start the services natively and supervise them") { services, detach };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            DiagnosticPrinter.Print(context.Project.Warnings);
            if (ServerRecord.ReadLive(context.StateDirectory) is not null)
            {
                return await ReconcileAsync(context, parse, ct);
            }
            return parse.GetValue(detach)
                ? await DetachAsync(context, parse.Tokens.Select(t => t.Value).Where(t => t is not ("-d" or "--detach")).ToList(), ct)
                : await ForegroundAsync(context, parse.GetValue(services) ?? [], ct);
        });
        return command;
    }

    /// <summary><c>up</c> on a running project: the server reloads the files and changes only what changed.</summary>
    private static async Task<int> ReconcileAsync(ProjectContext context, ParseResult parse, CancellationToken ct)
    {
        using var client = context.Client()!;
        var request = ProjectOptions.LoadOptions(parse) with
        {
            WorkingDirectory = Directory.GetCurrentDirectory(),
            Environment = Server.Compose.Loading.ComposeLoader.ProcessEnvironment(),
        };
        using var response = await client.PostAsJsonAsync("/v1/reconcile", request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return await ProjectContext.FailAsync(response);
        }
        var result = await response.Content.ReadFromJsonAsync<ReconcileResult>(ct);
        void Say(string what, IReadOnlyList<string> names)
        {
            if (names.Count > 0)
            {
                System.Console.Out.WriteLine($"{what}: {string.Join(", ", names)}");
            }
        }
        Say("recreated", result!.Recreated);
        Say("started", result.Started);
        Say("stopped", result.Stopped);
        Say("unchanged", result.Unchanged);
        return 0;
    }

    private static async Task<int> ForegroundAsync(ProjectContext context, IReadOnlyCollection<string> services, CancellationToken ct)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            try
            {
                stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The handler runs on a thread of its own and may come after everything was stopped.
            }
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        await using var plane = new ControlPlane(context.Project, new SupervisorOptions { StateDirectory = context.StateDirectory });
        var view = new StartupView();

        // In a terminal the services' logs wait behind the live table until it is done; they are
        // buffered meanwhile (the log hub keeps what a slow reader has not yet taken).
        var tableDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logsMayStart = StartupView.Interactive ? tableDone.Task : Task.CompletedTask;
        var printer = Task.Run(() => PrintLogsAsync(plane.Supervisor, logsMayStart, stopping.Token), CancellationToken.None);
        try
        {
            await plane.ListenAsync(0, stopping.Token);
            await view.RunAsync(v => ShowWhileStartingAsync(plane, services, v, stopping.Token));
            foreach (var warning in plane.Supervisor.Warnings)
            {
                await System.Console.Error.WriteLineAsync($"warning: {warning}");
            }
            foreach (var service in plane.Supervisor.Status())
            {
                var address = service.Runs is null ? $"http://127.0.0.1:{service.Port}" : $"127.0.0.1:{service.Port} ({service.Runs})";
                await System.Console.Out.WriteLineAsync($"{service.Name}: ready on {address} ({service.Replicas.Count} replica{(service.Replicas.Count == 1 ? "" : "s")})");
            }
            tableDone.TrySetResult();
            await plane.ShutdownRequested.WaitAsync(stopping.Token);
            await System.Console.Out.WriteLineAsync("stopping…");
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
            if (!tableDone.Task.IsCompleted)
            {
                // Startup failed or was interrupted: the logs held behind the table are dropped, so
                // that the error (with the failing service's last lines) is what the user reads last.
                await stopping.CancelAsync();
                tableDone.TrySetResult();
            }
            await plane.Supervisor.DownAsync();
            await stopping.CancelAsync();
            await printer.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return 0;
    }

    /// <summary>
    /// Starts the foreground form in a session of its own (so the terminal's Ctrl-C does not reach it),
    /// with its output in the state folder's server.log, and waits until it reports ready or failed.
    /// </summary>
    private static async Task<int> DetachAsync(ProjectContext context, List<string> arguments, CancellationToken ct)
    {
        Directory.CreateDirectory(context.StateDirectory);
        var log = Path.Combine(context.StateDirectory, "server.log");
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = Directory.GetCurrentDirectory(),
        };
        foreach (var a in new[] { "-c", "exec setsid \"$0\" \"$@\" >>\"$AUTONOMY_SERVER_LOG\" 2>&1 </dev/null", Environment.ProcessPath! })
        {
            start.ArgumentList.Add(a);
        }
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["AUTONOMY_SERVER_LOG"] = log;
        if (Server.Hosting.InlineSocketCompletions.SetHere)
        {
            // The server sets it for itself, and so knows to keep it from its services.
            start.Environment.Remove(Server.Hosting.InlineSocketCompletions.Variable);
        }
        var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        using var server = Process.Start(start)!;

        return await new StartupView().RunAsync(view => WaitUntilReadyAsync(context, server, new ServerLog(log, logStart), view, ct));
    }

    /// <summary>The part of server.log this run wrote (the file keeps earlier runs too).</summary>
    private sealed record ServerLog(string Path, long Start)
    {
        public IReadOnlyList<string> Lines()
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(Math.Min(Start, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    private static async Task<int> WaitUntilReadyAsync(ProjectContext context, Process server, ServerLog log, StartupView view, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                // A server that said why it stopped ("error: ...") is quoted as it is; anything else, with the context.
                var lines = log.Lines();
                var said = lines.SkipWhile(l => !l.StartsWith("error:", StringComparison.Ordinal)).ToList();
                if (said.Count > 0)
                {
                    await view.SayAsync(error: true, text: string.Join("\n", said.TakeLast(30)));
                    return 1;
                }
                await view.SayAsync(error: true, text: $"error: the server stopped while starting (exit code {server.ExitCode}); its output:");
                await view.SayAsync(error: true, text: string.Join("\n", lines.TakeLast(30).Select(l => "  " + l)));
                return 1;
            }
            if (context.Client(quiet: true) is { } client)
            {
                using (client)
                {
                    try
                    {
                        view.Show(await client.GetFromJsonAsync<JsonElement>("/v1/services", ct));
                        using var status = JsonDocument.Parse(await client.GetStringAsync("/v1/status", ct));
                        var phase = status.RootElement.GetProperty("phase").GetString();
                        if (phase == "running")
                        {
                            var services = await client.GetFromJsonAsync<JsonElement>("/v1/services", ct);
                            view.Show(services);
                            foreach (var s in services.EnumerateArray())
                            {
                                // A service that stands in for an image (PostgreSQL) speaks its own protocol, not HTTP.
                                var address = s.TryGetProperty("runs", out var runs) ? $"127.0.0.1:{s.GetProperty("port").GetInt32()} ({runs.GetString()})" : $"http://127.0.0.1:{s.GetProperty("port").GetInt32()}";
                                await view.SayAsync($"{s.GetProperty("name").GetString()}: {s.GetProperty("state").GetString()}, health {s.GetProperty("health").GetString()}, on {address}");
                            }
                            return 0;
                        }
                        if (phase == "failed")
                        {
                            await view.SayAsync(error: true, text: $"error: {status.RootElement.GetProperty("error").GetString()}");
                            foreach (var line in status.RootElement.GetProperty("logLines").EnumerateArray())
                            {
                                await view.SayAsync(error: true, text: $"  {line.GetString()}");
                            }
                            await server.WaitForExitAsync(ct);
                            return 1;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or JsonException or KeyNotFoundException or InvalidOperationException
                        || (e is TaskCanceledException && !ct.IsCancellationRequested))
                    {
                        // The server is still starting, or already stopping after a failure: look again.
                    }
                }
            }
            await Task.Delay(100, ct);
        }
        await view.SayAsync(error: true, text: $"error: the project did not become ready within 10 minutes; see {log.Path}");
        return 1;
    }

    /// <summary>Brings the services up while the view shows each one's state as it changes.</summary>
    private static async Task<int> ShowWhileStartingAsync(ControlPlane plane, IReadOnlyCollection<string> services, StartupView view, CancellationToken ct)
    {
        var up = plane.UpAsync(services, ct);
        while (!up.IsCompleted)
        {
            view.Show(Snapshot(plane));
            await Task.WhenAny(up, Task.Delay(100, CancellationToken.None));
        }
        view.Show(Snapshot(plane));
        await up;
        return 0;
    }

    private static JsonElement Snapshot(ControlPlane plane) =>
        JsonSerializer.SerializeToElement(plane.Supervisor.Status().Select(ServiceView.From), JsonSerializerOptions.Web);

    private static async Task PrintLogsAsync(Supervisor supervisor, Task mayStart, CancellationToken ct)
    {
        await foreach (var line in supervisor.FollowLogs(ct))
        {
            if (!mayStart.IsCompleted)
            {
                await mayStart.WaitAsync(ct);
            }
            await System.Console.Out.WriteLineAsync($"{line.Replica} | {line.Text}");
        }
    }
}

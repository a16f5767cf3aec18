using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy top</c>: the services page in the terminal, refreshed every second (q or Ctrl-C quits). Into a pipe or a
/// file it prints the table once and exits, so that scripts and logs get a snapshot rather than a stream of redraws.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var command = new Command("top", "Show the services and their replicas' CPU and memory, refreshed every second (q quits)");
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context || context.Client() is not { } client)
            {
                return 1;
            }
            using var _ = client;
            var project = context.Project.Name;
            try
            {
                if (await FetchAsync(client, ct) is not { } first)
                {
                    return 1;
                }
                if (System.Console.IsOutputRedirected)
                {
                    using (first)
                    {
                        TableOutput.Write(ServicesTable.From(first.RootElement, colored: false));
                    }
                    return 0;
                }
                return await LiveAsync(client, project, first, ct);
            }
            catch (HttpRequestException e)
            {
                await System.Console.Error.WriteLineAsync($"error: the server of '{project}' stopped answering ({e.Message}); see 'autonomy ps'");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: the usual way out of a live view, not a failure.
                return 0;
            }
        });
        return command;
    }

    private static async Task<int> LiveAsync(HttpClient client, string project, JsonDocument first, CancellationToken ct)
    {
        var exit = 0;
        var current = first;
        try
        {
            await AnsiConsole.Live(Page(project, current)).AutoClear(false).StartAsync(async live =>
            {
                while (await WaitAsync(ct))
                {
                    if (await FetchAsync(client, ct) is not { } next)
                    {
                        exit = 1;
                        return;
                    }
                    current.Dispose();
                    current = next;
                    live.UpdateTarget(Page(project, current));
                }
            });
        }
        finally
        {
            current.Dispose();
        }
        return exit;
    }

    private static IRenderable Page(string project, JsonDocument services) => new Rows(
        new Markup($"[bold]{Markup.Escape(project)}[/]  {DateTime.Now:HH:mm:ss}  [grey](q quits)[/]"),
        ServicesTable.From(services.RootElement, colored: true));

    /// <summary>Waits until the next refresh; false when q was pressed (only read from a terminal: a pipe on stdin is not a keyboard).</summary>
    private static async Task<bool> WaitAsync(CancellationToken ct)
    {
        var until = DateTime.UtcNow + Refresh;
        while (DateTime.UtcNow < until)
        {
            if (!System.Console.IsInputRedirected && System.Console.KeyAvailable && System.Console.ReadKey(intercept: true).Key == ConsoleKey.Q)
            {
                return false;
            }
            await Task.Delay(50, ct);
        }
        return true;
    }

    /// <summary>The services as the server sees them now; null after printing the server's refusal.</summary>
    private static async Task<JsonDocument?> FetchAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/v1/services", ct);
        if (!response.IsSuccessStatusCode)
        {
            await ProjectContext.FailAsync(response);
            return null;
        }
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
    }
}

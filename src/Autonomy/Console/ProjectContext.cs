using System.Net.Http.Headers;
using System.CommandLine;
using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Compose.Model;
using Autonomy.Server.Hosting;

namespace Autonomy.Console;

/// <summary>The project a verb works on, its state folder, and a client for its running control plane.</summary>
internal sealed class ProjectContext
{
    private ProjectContext(ComposeProject project)
    {
        Project = project;
        StateDirectory = StateDirectoryOf(project);
    }

    public ComposeProject Project { get; }

    public string StateDirectory { get; }

    public static string StateDirectoryOf(ComposeProject project) => Path.Combine(project.ProjectDirectory, ".autonomy", project.Name);

    /// <summary>Loads the project named by the verb's options; prints the errors and returns null when it cannot.</summary>
    public static ProjectContext? Load(ParseResult parse)
    {
        try
        {
            return new ProjectContext(ComposeLoader.Load(Commands.ProjectOptions.LoadOptions(parse)));
        }
        catch (ComposeException e)
        {
            DiagnosticPrinter.PrintFailure(e);
            return null;
        }
    }

    /// <summary>A client for the running control plane, or null (with a message) when the project is not running.</summary>
    public HttpClient? Client(bool quiet = false)
    {
        if (ServerRecord.ReadLive(StateDirectory) is not { } server)
        {
            if (!quiet)
            {
                System.Console.Error.WriteLine($"the project '{Project.Name}' is not running; start it with 'autonomy up -d'");
            }
            return null;
        }
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}"), Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServerRecord.AdminToken(StateDirectory));
        return client;
    }

    /// <summary>Loads the project and runs <paramref name="call"/> with a client of its running server; 1 when either is missing.</summary>
    public static async Task<int> WithServerAsync(ParseResult parse, Func<HttpClient, Task<int>> call)
    {
        if (Load(parse) is not { } context || context.Client() is not { } client)
        {
            return 1;
        }
        using (client)
        {
            return await call(client);
        }
    }

    /// <summary>Prints a problem+json answer as one clear line and returns the exit code for it.</summary>
    public static async Task<int> FailAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(text);
            var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : text;
            await System.Console.Error.WriteLineAsync($"error: {detail}");
            if (problem.RootElement.TryGetProperty("logLines", out var lines))
            {
                foreach (var line in lines.EnumerateArray())
                {
                    await System.Console.Error.WriteLineAsync($"  {line.GetString()}");
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
            await System.Console.Error.WriteLineAsync($"error: the server answered {(int)response.StatusCode}: {text}");
        }
        return 1;
    }
}

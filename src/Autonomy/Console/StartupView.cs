using System.Text.Json;
using Spectre.Console;

namespace Autonomy.Console;

/// <summary>
/// What <c>up</c> and <c>up -d</c> show while the services start: in a terminal a live table of each service's
/// state and health; otherwise one plain line per change, for logs and scripts.
/// </summary>
internal sealed class StartupView
{
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private readonly List<(bool Error, string Text)> _after = [];
    private readonly Table _table = new Table().AddColumns("SERVICE", "STATE", "HEALTH", "REPLICAS").Border(TableBorder.Rounded);

    public static bool Interactive => !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="poll"/>, which reports services through <see cref="Show"/>, under a live display when interactive.</summary>
    public async Task<int> RunAsync(Func<StartupView, Task<int>> poll)
    {
        if (!Interactive)
        {
            return await poll(this);
        }
        var result = 0;
        await AnsiConsole.Live(_table).StartAsync(async context =>
        {
            _refresh = context.Refresh;
            result = await poll(this);
            context.Refresh();
        });
        // Printed once the live table is done, so that they do not tear it.
        foreach (var (error, text) in _after)
        {
            await (error ? System.Console.Error : System.Console.Out).WriteLineAsync(text);
        }
        return result;
    }

    /// <summary>A message for the user: at once in plain mode, after the live table otherwise.</summary>
    public async Task SayAsync(string text, bool error = false)
    {
        if (_refresh is null)
        {
            await (error ? System.Console.Error : System.Console.Out).WriteLineAsync(text);
        }
        else
        {
            _after.Add((error, text));
        }
    }

    private Action? _refresh;

    public void Show(JsonElement services)
    {
        var rows = services.EnumerateArray().Select(s =>
        {
            var replicas = s.GetProperty("replicas");
            var ready = replicas.EnumerateArray().Count(r => r.GetProperty("health").GetString() is "healthy" or "none" && r.GetProperty("state").GetString() == "running");
            return (Name: s.GetProperty("name").GetString()!, State: s.GetProperty("state").GetString()!, Health: s.GetProperty("health").GetString()!, Replicas: $"{ready}/{replicas.GetArrayLength()}");
        }).ToList();
        if (_refresh is { } refresh)
        {
            _table.Rows.Clear();
            foreach (var row in rows)
            {
                var colour = row.Health switch { "healthy" => "green", "unhealthy" => "red", _ => row.State == "running" ? "green" : "yellow" };
                _table.AddRow(Markup.Escape(row.Name), $"[{colour}]{Markup.Escape(row.State)}[/]", Markup.Escape(row.Health), row.Replicas);
            }
            refresh();
            return;
        }
        foreach (var row in rows)
        {
            var line = $"{row.Name}: {row.State}, health {row.Health}, {row.Replicas} ready";
            if (_shown.GetValueOrDefault(row.Name) != line)
            {
                _shown[row.Name] = line;
                System.Console.Out.WriteLine(line);
            }
        }
    }
}

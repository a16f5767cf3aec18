using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Autonomy.Console;

/// <summary>The services page of <c>autonomy top</c>: one row per replica, from the JSON of <c>GET /v1/services</c>.</summary>
internal static class ServicesTable
{
    public static Table From(JsonElement services, bool colored)
    {
        // No lines between columns: nine of them must fit an 80-column terminal.
        var table = new Table().Border(colored ? TableBorder.Simple : TableBorder.None);
        foreach (var column in new[] { "SERVICE", "REPLICA", "STATE", "HEALTH", "RESTARTS", "UPTIME", "PORT", "CPU", "MEMORY" })
        {
            // Columns stand apart by two spaces in a terminal (the border adds one), three into a pipe as ps prints them (for awk and cut).
            var added = new TableColumn(column).PadLeft(0).PadRight(colored ? 1 : 3).NoWrap();
            table.AddColumn(column is "RESTARTS" or "PORT" or "CPU" or "MEMORY" ? added.RightAligned() : added);
        }
        foreach (var service in services.EnumerateArray())
        {
            var name = service.GetProperty("name").GetString()!;
            var replicas = service.GetProperty("replicas");
            if (replicas.GetArrayLength() == 0)
            {
                // A service waiting for its dependencies, or scaled to zero, still has its line.
                table.AddRow(Cell(name), Cell("-"), Cell(service.GetProperty("state").GetString()!), Cell(service.GetProperty("health").GetString()!),
                    Cell("-"), Cell("-"), Cell(Number(service.GetProperty("port").GetInt32())), Cell("-"), Cell("-"));
                continue;
            }
            foreach (var r in replicas.EnumerateArray())
            {
                var state = r.GetProperty("state").GetString()!;
                var health = r.GetProperty("health").GetString()!;
                table.AddRow(
                    Cell(name),
                    Cell(r.GetProperty("id").GetString()!),
                    colored ? new Markup(Markup.Escape(state), Color(state)) : Cell(state),
                    colored ? new Markup(Markup.Escape(health), Color(health)) : Cell(health),
                    Cell(Number(r.GetProperty("restarts").GetInt32())),
                    Cell(r.GetProperty("uptime") is { ValueKind: JsonValueKind.Number } uptime ? Duration(uptime.GetDouble()) : "-"),
                    Cell(Number(r.GetProperty("port").GetInt32())),
                    Cell(r.TryGetProperty("cpuPercent", out var cpu) && cpu.ValueKind == JsonValueKind.Number ? cpu.GetDouble().ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-"),
                    Cell(r.TryGetProperty("memoryBytes", out var memory) && memory.ValueKind == JsonValueKind.Number ? Size(memory.GetInt64()) : "-"));
            }
        }
        return table;
    }

    /// <summary>3s, 4m05s, 2h03m, 3d04h: the two largest units are enough to see at a glance how long a replica has run.</summary>
    public static string Duration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Max(0, seconds));
        return time.TotalDays >= 1 ? $"{(int)time.TotalDays}d{time.Hours:00}h"
            : time.TotalHours >= 1 ? $"{(int)time.TotalHours}h{time.Minutes:00}m"
            : time.TotalMinutes >= 1 ? $"{(int)time.TotalMinutes}m{time.Seconds:00}s"
            : $"{(int)time.TotalSeconds}s";
    }

    /// <summary>Bytes in binary units, as top and free show them.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static Text Cell(string text) => new(text);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Style Color(string word) => word switch
    {
        "running" or "healthy" => new Style(Spectre.Console.Color.Green),
        "unhealthy" or "exited" or "restarting" => new Style(Spectre.Console.Color.Red),
        "starting" or "waiting" or "draining" or "stopping" => new Style(Spectre.Console.Color.Yellow),
        _ => Style.Plain,
    };
}

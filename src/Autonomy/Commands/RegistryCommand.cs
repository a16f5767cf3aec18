using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Autonomy.Commands.Config;
using Autonomy.Console;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy registry [SERVICE] [--all] [--format json]</c>: the instances discovery hands out (the healthy ones), or
/// with <c>--all</c> every one, for one service or all of them; the replicas Autonomy runs and external instances alike.
/// </summary>
internal static class RegistryCommand
{
    public static Command Create()
    {
        var service = new Argument<string?>("SERVICE") { Description = "Only this service's instances", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every instance, also those out of rotation (starting, critical or draining)" };
        var command = new Command("registry", "List the instances discovery hands out: each service's healthy replicas and external instances") { service, all, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var names = new List<string>();
            if (parse.GetValue(service) is { } one)
            {
                names.Add(one);
            }
            else
            {
                using var listed = await client.GetAsync("/v1/registry", ct);
                if (!listed.IsSuccessStatusCode)
                {
                    return await ProjectContext.FailAsync(listed);
                }
                using var services = JsonDocument.Parse(await listed.Content.ReadAsStringAsync(ct));
                names.AddRange(services.RootElement.EnumerateArray().Select(s => s.GetProperty("service").GetString()!));
            }
            var instances = new List<JsonElement>();
            foreach (var name in names)
            {
                using var response = await client.GetAsync($"/v1/registry/{Uri.EscapeDataString(name)}{(parse.GetValue(all) ? "?all=true" : "")}", ct);
                if (!response.IsSuccessStatusCode)
                {
                    return await ProjectContext.FailAsync(response);
                }
                using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                instances.AddRange(body.RootElement.GetProperty("instances").EnumerateArray().Select(i => i.Clone()));
            }
            if (parse.GetValue(ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(JsonSerializer.Serialize(instances));
                return 0;
            }
            if (instances.Count == 0)
            {
                var what = parse.GetValue(all) ? "no instances" : "no healthy instances";
                await System.Console.Error.WriteLineAsync(names.Count == 1 ? $"{what} of '{names[0]}' are registered" : $"{what} are registered");
                return 0;
            }
            var rows = new List<string[]> { new[] { "SERVICE", "ID", "ADDRESS", "HEALTH", "VERSION", "SOURCE" } };
            foreach (var i in instances)
            {
                var health = i.GetProperty("health").GetString()! + (i.GetProperty("draining").GetBoolean() ? " (draining)" : "");
                rows.Add(
                [
                    i.GetProperty("service").GetString()!,
                    i.GetProperty("id").GetString()!,
                    string.Create(CultureInfo.InvariantCulture, $"{Host(i.GetProperty("address").GetString()!)}:{i.GetProperty("port").GetInt32()}"),
                    health,
                    i.GetProperty("version").GetString() is { Length: > 0 } version ? version : "-",
                    i.GetProperty("source").GetString()!,
                ]);
            }
            // Plain aligned columns, as ps prints them: readable in a terminal and by scripts alike.
            var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (var row in rows)
            {
                await System.Console.Out.WriteLineAsync(string.Join("   ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }
            return 0;
        }));
        return command;
    }

    // An IPv6 address is bracketed before its port, as in a URL.
    private static string Host(string address) => address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address;
}

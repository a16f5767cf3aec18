using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Commands.Config;
using Autonomy.Console;

namespace Autonomy.Commands.Keys;

/// <summary><c>autonomy keys create --route R [--route R2] [--quota N/day|N/month] [--name NAME]</c>.</summary>
internal static class KeysCreateCommand
{
    public static Command Create()
    {
        var routes = new Option<string[]>("--route")
        {
            Description = "A route the key opens, as the gateway names it (orders/0), or a service (orders) for all its routes; repeat for more",
            Required = true,
        };
        var quota = new Option<string?>("--quota") { Description = "Requests the key may make per UTC day or month, e.g. 1000/day or 50000/month (default: no quota)" };
        var name = new Option<string?>("--name") { Description = "What or whom it is for, shown in 'keys list'" };
        var command = new Command("create", "Make an API key; it is printed on standard output, this once only") { routes, quota, name, ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.PostAsJsonAsync("/v1/keys", new { routes = parse.GetValue(routes), quota = parse.GetValue(quota), name = parse.GetValue(name) }, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
                return 0;
            }
            using var json = JsonDocument.Parse(body);
            var created = json.RootElement;
            // The key alone on standard output, so that KEY=$(autonomy keys create …) works; the rest for the person.
            await System.Console.Out.WriteLineAsync(created.GetProperty("key").GetString());
            var opens = string.Join(", ", created.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
            var limit = created.GetProperty("quota").GetString() is { } q ? $"quota {q}" : "no quota";
            await System.Console.Error.WriteLineAsync($"created API key {created.GetProperty("id").GetString()} for {opens} ({limit}); it is shown only this once");
            return 0;
        }));
        return command;
    }
}

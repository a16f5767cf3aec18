using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autonomy.Console;

namespace Autonomy.Commands.Messaging;

/// <summary><c>mq ls</c>: the vhosts, then each one's queues with their depth and consumers (and its exchanges with <c>--all</c>).</summary>
internal static class MqListCommand
{
    public static Command Create()
    {
        var vhost = MqCommand.Vhost();
        vhost.Description = "Only this vhost (without it: every vhost)";
        var all = new Option<bool>("--all", "-a") { Description = "Also list the exchanges" };
        var format = MqCommand.Format();
        var command = new Command("ls", "List the vhosts and their queues (ready, unacked, delayed, consumers)") { vhost, all, format };
        command.SetAction((parse, ct) => MqCommand.WithServerAsync(parse, async (_, client) =>
        {
            var only = parse.GetValue(vhost);
            var vhosts = new JsonArray();
            if (only is null)
            {
                if (await GetAsync(client, "/v1/mq/vhosts", ct) is not JsonArray list)
                {
                    return 1;
                }
                vhosts = list;
            }
            else if (await GetAsync(client, $"/v1/mq/vhosts/{MqCommand.Segment(only)}", ct) is { } one)
            {
                vhosts.Add(one);
            }
            else
            {
                return 1;
            }
            var queues = new JsonArray();
            var exchanges = new JsonArray();
            foreach (var name in vhosts.Select(v => v!["name"]!.GetValue<string>()).ToList())
            {
                if (await GetAsync(client, $"/v1/mq/vhosts/{MqCommand.Segment(name)}/queues", ct) is not JsonArray found)
                {
                    return 1;
                }
                foreach (var queue in found)
                {
                    queues.Add(queue!.DeepClone());
                }
                if (parse.GetValue(all))
                {
                    if (await GetAsync(client, $"/v1/mq/vhosts/{MqCommand.Segment(name)}/exchanges", ct) is not JsonArray declared)
                    {
                        return 1;
                    }
                    foreach (var exchange in declared)
                    {
                        exchanges.Add(exchange!.DeepClone());
                    }
                }
            }
            if (parse.GetValue(format) == "json")
            {
                var json = new JsonObject { ["vhosts"] = vhosts, ["queues"] = queues };
                if (parse.GetValue(all))
                {
                    json["exchanges"] = exchanges;
                }
                await System.Console.Out.WriteLineAsync(json.ToJsonString());
                return 0;
            }
            await PrintAsync(vhosts, queues, exchanges, parse.GetValue(all));
            return 0;
        }));
        return command;
    }

    private static async Task PrintAsync(JsonArray vhosts, JsonArray queues, JsonArray exchanges, bool all)
    {
        var rows = new List<string[]> { new[] { "VHOST", "QUEUES", "MESSAGES", "READY", "UNACKED", "DELAYED" } };
        rows.AddRange(vhosts.Select(v => Cells(v!, "name", "queues", "messages", "ready", "unacked", "delayed")));
        await MqCommand.PrintColumnsAsync(rows);
        await System.Console.Out.WriteLineAsync();
        if (queues.Count == 0)
        {
            await System.Console.Out.WriteLineAsync("no queues yet");
        }
        else
        {
            rows = [["VHOST", "QUEUE", "READY", "UNACKED", "DELAYED", "CONSUMERS", "DEAD LETTERS TO"]];
            rows.AddRange(queues.Select(q => Cells(q!, "vhost", "name", "ready", "unacked", "delayed", "consumers", "dead_letter_exchange")));
            await MqCommand.PrintColumnsAsync(rows);
        }
        if (all)
        {
            await System.Console.Out.WriteLineAsync();
            rows = [["VHOST", "EXCHANGE", "TYPE", "DURABLE", "AUTO DELETE"]];
            rows.AddRange(exchanges.Select(e => Cells(e!, "vhost", "name", "type", "durable", "auto_delete")));
            await MqCommand.PrintColumnsAsync(rows);
        }
    }

    private static string[] Cells(JsonNode node, params string[] properties) =>
        [.. properties.Select(p => node[p] is { } value ? value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString() : "-")];

    private static async Task<JsonNode?> GetAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
        {
            await ProjectContext.FailAsync(response);
            return null;
        }
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
    }
}

using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Messaging;

/// <summary><c>mq dlq ls</c> (the queues that receive dead letters, and why their first messages died) and <c>mq dlq requeue QUEUE</c>.</summary>
internal static class MqDeadLetterCommands
{
    public static Command Create() => new("dlq", "See dead letters, and send them back to where they were published")
    {
        List(),
        Requeue(),
    };

    private static Command List()
    {
        var vhost = MqCommand.Vhost();
        var format = MqCommand.Format();
        var command = new Command("ls", "List the queues that receive dead letters, with why their first messages died") { vhost, format };
        command.SetAction((parse, ct) => MqCommand.WithServerAsync(parse, async (context, client) =>
        {
            if (await MqCommand.VhostAsync(parse, vhost, context, client, ct) is not { } name)
            {
                return 1;
            }
            using var response = await client.GetAsync($"/v1/mq/vhosts/{MqCommand.Segment(name)}/dead-letters", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var body = await response.Content.ReadAsStringAsync(ct);
            if (parse.GetValue(format) == "json")
            {
                await System.Console.Out.WriteLineAsync(body);
                return 0;
            }
            using var list = JsonDocument.Parse(body);
            if (list.RootElement.GetArrayLength() == 0)
            {
                await System.Console.Out.WriteLineAsync($"no queue in vhost '{name}' receives dead letters (declare a queue with x-dead-letter-exchange, and bind one to that exchange)");
                return 0;
            }
            var rows = new List<string[]> { new[] { "QUEUE", "MESSAGES", "FROM", "FIRST DIED", "REASON", "IN QUEUE" } };
            foreach (var queue in list.RootElement.EnumerateArray())
            {
                var death = queue.GetProperty("first").EnumerateArray().Select(f => f.GetProperty("death")).FirstOrDefault(d => d.ValueKind == JsonValueKind.Object);
                rows.Add([MqCommand.Text(queue, "queue"), MqCommand.Text(queue, "messages"), string.Join(",", queue.GetProperty("sources").EnumerateArray().Select(s => s.GetString())),
                    death.ValueKind == JsonValueKind.Object && death.TryGetProperty("time", out var time) ? DateTimeOffset.FromUnixTimeSeconds(time.GetInt64()).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss") : "-",
                    death.ValueKind == JsonValueKind.Object ? MqCommand.Text(death, "reason") : "-",
                    death.ValueKind == JsonValueKind.Object ? MqCommand.Text(death, "queue") : "-"]);
            }
            await MqCommand.PrintColumnsAsync(rows);
            return 0;
        }));
        return command;
    }

    private static Command Requeue()
    {
        var vhost = MqCommand.Vhost();
        var queue = new Argument<string>("QUEUE") { Description = "The dead-letter queue" };
        var max = new Option<long?>("--max") { Description = "At most this many messages (default: all of them)" };
        var command = new Command("requeue", "Send a dead-letter queue's messages back to the exchange and routing key they were first published with") { vhost, queue, max };
        command.SetAction((parse, ct) => MqCommand.WithServerAsync(parse, async (context, client) =>
        {
            if (await MqCommand.VhostAsync(parse, vhost, context, client, ct) is not { } name)
            {
                return 1;
            }
            if (parse.GetValue(max) is < 1)
            {
                await System.Console.Error.WriteLineAsync("error: --max is at least 1");
                return 2;
            }
            var dead = parse.GetValue(queue)!;
            using var response = await client.PostAsJsonAsync($"/v1/mq/vhosts/{MqCommand.Segment(name)}/dead-letters/{MqCommand.Segment(dead)}/requeue",
                parse.GetValue(max) is { } limit ? new { max = limit } : (object)new { }, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var moved = answer.RootElement.GetProperty("requeued").GetInt64();
            await System.Console.Out.WriteLineAsync($"requeued {moved} message{(moved == 1 ? "" : "s")} from {dead}");
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Messaging;

/// <summary><c>mq tail QUEUE</c>: each message as it enters the queue, taking none (consumers still get them), until Ctrl-C.</summary>
internal static class MqTailCommand
{
    public static Command Create()
    {
        var vhost = MqCommand.Vhost();
        var queue = new Argument<string>("QUEUE") { Description = "The queue to watch" };
        var format = MqCommand.Format();
        var command = new Command("tail", "Show messages as they enter a queue, without taking them (Ctrl-C to stop)") { vhost, queue, format };
        command.SetAction((parse, ct) => MqCommand.WithServerAsync(parse, async (context, client) =>
        {
            if (await MqCommand.VhostAsync(parse, vhost, context, client, ct) is not { } name)
            {
                return 1;
            }
            var path = $"/v1/mq/vhosts/{MqCommand.Segment(name)}/queues/{MqCommand.Segment(parse.GetValue(queue)!)}/tail";
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            var json = parse.GetValue(format) == "json";
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            var kind = "";
            try
            {
                while (await reader.ReadLineAsync(ct) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        kind = line[7..];
                        continue;
                    }
                    if (!line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    using var data = JsonDocument.Parse(line[6..]);
                    if (kind == "dropped")
                    {
                        await System.Console.Error.WriteLineAsync($"({data.RootElement.GetProperty("count")} messages not shown: this tail read too slowly)");
                    }
                    else if (json)
                    {
                        await System.Console.Out.WriteLineAsync(line[6..]);
                    }
                    else
                    {
                        await System.Console.Out.WriteLineAsync(Describe(data.RootElement));
                    }
                    await System.Console.Out.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return 0;
        }));
        return command;
    }

    private static string Describe(JsonElement m)
    {
        var payload = MqCommand.Text(m, "payload_encoding") == "base64"
            ? $"<{m.GetProperty("payload_bytes")} bytes, base64 {Shorten(MqCommand.Text(m, "payload"))}>"
            : Shorten(MqCommand.Text(m, "payload").ReplaceLineEndings("⏎"));
        var id = m.GetProperty("properties").TryGetProperty("message_id", out var value) ? $" [{value.GetString()}]" : "";
        return $"{DateTime.Now:HH:mm:ss} {MqCommand.Text(m, "exchange")} {MqCommand.Text(m, "routing_key")}{id}: {payload}";
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..199] + "…" : text;
}

using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autonomy.Console;

namespace Autonomy.Commands.Messaging;

/// <summary>
/// <c>mq publish</c>: one message, from the argument or standard input, to an exchange (the default one,
/// which routes by queue name, unless told). Returns once the broker holds it durably; a message no queue
/// took is an error, so that a script notices.
/// </summary>
internal static class MqPublishCommand
{
    public static Command Create()
    {
        var vhost = MqCommand.Vhost();
        var exchange = new Option<string>("--exchange", "-e") { Description = "The exchange (default: amq.default, which routes by queue name)", DefaultValueFactory = _ => "amq.default" };
        var routingKey = new Option<string>("--routing-key", "-k") { Description = "The routing key (a queue's name for amq.default)", DefaultValueFactory = _ => "" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header NAME=VALUE (repeatable; x-delay=5000 delays it 5 s)", AllowMultipleArgumentsPerToken = false };
        var persistent = new Option<bool>("--persistent") { Description = "Keep it across a restart (the default; --persistent false for a transient message)", DefaultValueFactory = _ => true };
        var contentType = new Option<string?>("--content-type") { Description = "Its content type (e.g. application/json)" };
        var messageId = new Option<string?>("--message-id") { Description = "Its message id (queues with x-deduplication-window drop repeats)" };
        var body = new Argument<string?>("BODY") { Description = "The message; without it (or with -) standard input is read", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("publish", "Publish a message and wait until the broker holds it")
        {
            vhost, exchange, routingKey, headers, persistent, contentType, messageId, body,
        };
        command.SetAction((parse, ct) => MqCommand.WithServerAsync(parse, async (context, client) =>
        {
            if (await MqCommand.VhostAsync(parse, vhost, context, client, ct) is not { } name)
            {
                return 1;
            }
            var table = new JsonObject();
            foreach (var header in parse.GetValue(headers) ?? [])
            {
                var equals = header.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    await System.Console.Error.WriteLineAsync($"error: --header '{header}' is not NAME=VALUE");
                    return 2;
                }
                table[header[..equals]] = HeaderValue(header[(equals + 1)..]);
            }
            byte[] payload;
            if (parse.GetValue(body) is { } text && text != "-")
            {
                payload = Encoding.UTF8.GetBytes(text);
            }
            else if (System.Console.IsInputRedirected)
            {
                using var input = System.Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                await input.CopyToAsync(buffer, ct);
                payload = buffer.ToArray();
            }
            else
            {
                await System.Console.Error.WriteLineAsync("error: give the message as an argument, or pipe it in (echo hello | autonomy mq publish -k QUEUE)");
                return 2;
            }
            var properties = new JsonObject { ["delivery_mode"] = parse.GetValue(persistent) ? 2 : 1 };
            if (table.Count > 0)
            {
                properties["headers"] = table;
            }
            if (parse.GetValue(contentType) is { } type)
            {
                properties["content_type"] = type;
            }
            if (parse.GetValue(messageId) is { } id)
            {
                properties["message_id"] = id;
            }
            var target = parse.GetValue(exchange)!;
            var key = parse.GetValue(routingKey)!;
            var envelope = new JsonObject
            {
                ["routing_key"] = key,
                ["properties"] = properties,
                ["payload"] = Convert.ToBase64String(payload),
                ["payload_encoding"] = "base64",
            };
            using var response = await client.PostAsJsonAsync($"/v1/mq/vhosts/{MqCommand.Segment(name)}/exchanges/{MqCommand.Segment(target)}/publish", envelope, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var outcome = answer.RootElement.GetProperty("outcome").GetString();
            if (outcome == "unroutable")
            {
                await System.Console.Error.WriteLineAsync(
                    $"error: no queue took the message: nothing in vhost '{name}' is bound to exchange '{target}' for routing key '{key}' (for amq.default, the key is a queue's name)");
                return 1;
            }
            await System.Console.Out.WriteLineAsync(outcome == "duplicate"
                ? $"duplicate: every queue it goes to has seen message id '{parse.GetValue(messageId)}' within its de-duplication window"
                : $"published to {target} with routing key '{key}' ({payload.Length} bytes, {(parse.GetValue(persistent) ? "persistent" : "transient")})");
            return 0;
        }));
        return command;
    }

    // Numbers and booleans as such, so that x-delay=5000 is a number, as the broker wants it.
    private static JsonNode HeaderValue(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
        : text is "true" or "false" ? JsonValue.Create(text == "true")
        : JsonValue.Create(text);
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>
/// An application written for RabbitMQ runs on the embedded broker on a laptop and on RabbitMQ in production without a
/// change: the Flask example (pika, nothing but MESSAGE_QUEUE_URL) is started from the same files twice, the second
/// time with a second compose file that only names a RabbitMQ server.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SameAppOnBothBackendsTests(RabbitMqServerFixture rmq) : IDisposable
{
    private readonly TempProject _copy = new();

    public void Dispose() => _copy.Dispose();

    [Fact]
    public async Task TheFlaskExampleRunsUnchangedOnTheEmbeddedBrokerAndOnRabbitMq()
    {
        await ExampleFolder.RequireFlaskAndPikaAsync();
        var folder = ExampleFolder.Copy("flask", _copy.Directory);
        var prefix = "same-" + Guid.NewGuid().ToString("N")[..6] + "-";
        File.WriteAllText(Path.Combine(folder, "production.yaml"), $"x-autonomy:\n  messaging: {rmq.MessagingSetting.TrimEnd('}')}, prefix: '{prefix}'}}\n");
        var port = PostgresServerFixture.FreePort();
        var env = new Dictionary<string, string?> { ["WEB_PORT"] = port.ToString(CultureInfo.InvariantCulture), ["PATH"] = "/usr/bin:/bin" };
        await ExampleFolder.SetFlaskSecretsAsync(folder, env);
        using var http = new HttpClient();

        string[][] runs = [["up", "-d"], ["-f", "compose.yaml", "-f", "production.yaml", "up", "-d"]];
        foreach (var up in runs)
        {
            var backend = up.Length == 2 ? "the embedded broker" : "RabbitMQ";
            try
            {
                var started = await Repository.RunAutonomyAsync(folder, up, env);
                Assert.True(started.ExitCode == 0, started.ToString());
                var url = await UrlOfWebAsync(folder, env);
                Assert.StartsWith(up.Length == 2 ? "amqp://web:" : $"amqp://{prefix}web:", url, StringComparison.Ordinal);
                Assert.EndsWith(up.Length == 2 ? "/web" : $":{rmq.Port}/{prefix}web", url, StringComparison.Ordinal);

                var text = $"sent through {backend}";
                using (var published = await http.PostAsync($"http://127.0.0.1:{port}/messages", new StringContent(text)))
                {
                    Assert.True(published.StatusCode == HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
                }
                await RunningProject.WaitUntilAsync(() => http.GetStringAsync($"http://127.0.0.1:{port}/messages").Result.Contains(text, StringComparison.Ordinal),
                    $"the web service's consumer received the message it published on {backend}");
            }
            finally
            {
                await Repository.RunAutonomyAsync(folder, [.. up[..^2], "down"], env);
            }
        }

        // The second message really went through RabbitMQ: the web service's vhost there has the example's durable
        // queue, which holds nothing (RabbitMQ's management API fills in a queue's counts a few seconds after it is made).
        using var management = rmq.Management();
        var path = $"queues/{Uri.EscapeDataString(prefix + "web")}/messages";
        using (var queue = JsonDocument.Parse(await management.GetStringAsync(path)))
        {
            Assert.True(queue.RootElement.GetProperty("durable").GetBoolean());
        }
        await RunningProject.WaitUntilAsync(() =>
        {
            using var queue = JsonDocument.Parse(management.GetStringAsync(path).Result);
            return queue.RootElement.TryGetProperty("messages", out var messages) && messages.GetInt32() == 0;
        }, "RabbitMQ reports the example's queue empty: its one message was consumed and acknowledged");
    }

    /// <summary>The MESSAGE_QUEUE_URL the web service was given, read from its replica's environment.</summary>
    private static async Task<string> UrlOfWebAsync(string folder, IDictionary<string, string?> env)
    {
        var ps = await Repository.RunAutonomyAsync(folder, ["ps", "--format", "json"], env);
        using var services = JsonDocument.Parse(ps.StandardOutput);
        var web = services.RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "web");
        var pid = web.GetProperty("replicas")[0].GetProperty("pid").GetInt32();
        var variables = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        return variables.Single(v => v.StartsWith("MESSAGE_QUEUE_URL=", StringComparison.Ordinal))["MESSAGE_QUEUE_URL=".Length..];
    }
}

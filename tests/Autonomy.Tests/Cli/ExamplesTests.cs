using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>The examples run as the README says.</summary>
public sealed partial class ExamplesTests : IDisposable
{
    private readonly TempProject _copy = new();

    public void Dispose() => _copy.Dispose();

    /// <summary>A copy of an example in a temporary folder, so that its state never lands in the repository.</summary>
    private string CopyExample(string name) => ExampleFolder.Copy(name, _copy.Directory);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ShopComesUpServesAnOrderAndGoesDown()
    {
        var folder = CopyExample("shop");
        var port = FreePort();
        var env = new Dictionary<string, string?> { ["SHOP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());

            var ps = JsonDocument.Parse((await Repository.RunAutonomyAsync(folder, ["ps", "--format", "json"], env)).StandardOutput).RootElement;
            Assert.Equal(["catalog", "orders", "storefront", "worker"], ps.EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order());
            Assert.Equal(2, ps.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "catalog").GetProperty("replicas").GetArrayLength());

            using var http = new HttpClient();
            var orders = ps.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "orders").GetProperty("port").GetInt32();
            using (var created = await http.PostAsync($"http://127.0.0.1:{orders}/orders/tea", null))
            {
                Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            }
            var page = await http.GetStringAsync($"http://127.0.0.1:{port}/");
            Assert.Contains("Green tea", page);
            Assert.Contains("1 orders so far", page);
            await RunningProject.WaitUntilAsync(
                () => Repository.RunAutonomyAsync(folder, ["logs", "worker"], env).Result.StandardOutput.Contains("confirmation sent for order 1", StringComparison.Ordinal),
                "the worker confirms the order");
        }
        finally
        {
            var down = await Repository.RunAutonomyAsync(folder, ["down"], env);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
    }

    /// <summary>The Flask example's external secrets, set as its compose file says to before the first up.</summary>

    [Fact]
    public async Task TheArticlesFlaskAppRuns()
    {
        // Debian's python3-flask (scripts/test installs it): run with the system's python3 first on PATH.
        await ExampleFolder.RequireFlaskAndPikaAsync();
        var folder = CopyExample("flask");
        var port = FreePort();
        var env = new Dictionary<string, string?> { ["WEB_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["PATH"] = "/usr/bin:/bin" };
        try
        {
            // Its two passwords are external secrets: up names the command that sets each.
            var unset = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.Equal(1, unset.ExitCode);
            Assert.Contains("autonomy secrets set rabbitmq_password < FILE", unset.StandardError, StringComparison.Ordinal);
            await ExampleFolder.SetFlaskSecretsAsync(folder, env);
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            using var http = new HttpClient();
            Assert.Contains("Hello from an autonomous service", await http.GetStringAsync($"http://127.0.0.1:{port}/"));
            Assert.Contains("ok", await http.GetStringAsync($"http://127.0.0.1:{port}/health"));

            // Its broker, declared by the rabbitmq image, is the embedded one; a message goes through it with pika.
            var ps = await Repository.RunAutonomyAsync(folder, ["ps"], env);
            Assert.Contains("messagequeue: Autonomy's embedded broker, in place of the image rabbitmq:3", ps.StandardOutput, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^dashboard: http://127\.0\.0\.1:\d+/$", ps.StandardOutput);
            using (var published = await http.PostAsync($"http://127.0.0.1:{port}/messages", new StringContent("hello through the broker")))
            {
                Assert.True(published.StatusCode == System.Net.HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
            }
            await RunningProject.WaitUntilAsync(() => http.GetStringAsync($"http://127.0.0.1:{port}/messages").Result.Contains("hello through the broker", StringComparison.Ordinal),
                "the web service's consumer received the message it published");
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"], env);
        }
    }

    [Fact]
    public async Task HelloAnswersOnItsPortCallsWorldThroughTheRegistryAndSendsAMessageThroughItsBroker()
    {
        var folder = CopyExample("hello");
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"]);
            Assert.True(up.ExitCode == 0, up.ToString());
            var port = JsonDocument.Parse((await Repository.RunAutonomyAsync(folder, ["ps", "--format", "json"])).StandardOutput).RootElement[0].GetProperty("port").GetInt32();
            using var http = new HttpClient();
            Assert.Equal("Hello from hello-1\n", await http.GetStringAsync($"http://127.0.0.1:{port}/"));
            // One real call to another service by its name, resolved through the registry to a healthy replica of it.
            Assert.Equal("hello-1 asked world: Bonjour from world-1\n", await http.GetStringAsync($"http://127.0.0.1:{port}/neighbour"));

            // RabbitMQ.Client, with nothing but MESSAGE_QUEUE_URL: published with confirms, received by its own consumer.
            using (var published = await http.PostAsync($"http://127.0.0.1:{port}/messages", new StringContent("hello through RabbitMQ.Client")))
            {
                Assert.True(published.StatusCode == System.Net.HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
            }
            await RunningProject.WaitUntilAsync(() => http.GetStringAsync($"http://127.0.0.1:{port}/messages").Result.Contains("hello through RabbitMQ.Client", StringComparison.Ordinal),
                "hello's consumer received the message it published");
            // In its own vhost, acknowledged once kept.
            await RunningProject.WaitUntilAsync(() =>
            {
                var queues = Repository.RunAutonomyAsync(folder, ["mq", "ls", "--vhost", "hello", "--format", "json"]).Result;
                using var listed = JsonDocument.Parse(queues.StandardOutput);
                var queue = listed.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "messages");
                return (queue.GetProperty("published").GetInt64(), queue.GetProperty("messages").GetInt64()) == (1L, 0L);
            }, "the message was published once to hello's vhost and acknowledged");
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"]);
        }
    }
}

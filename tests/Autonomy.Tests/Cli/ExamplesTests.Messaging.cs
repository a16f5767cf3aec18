using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

public sealed partial class ExamplesTests
{
    [Fact]
    public async Task TheShopsOrdersReachTheWorkerThroughTheQueue()
    {
        var folder = CopyExample("shop");
        var env = new Dictionary<string, string?> { ["SHOP_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            var ps = JsonDocument.Parse((await Repository.RunAutonomyAsync(folder, ["ps", "--format", "json"], env)).StandardOutput).RootElement;
            var orders = ps.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "orders").GetProperty("port").GetInt32();
            using var http = new HttpClient();
            foreach (var product in new[] { "tea", "pot" })
            {
                using var created = await http.PostAsync($"http://127.0.0.1:{orders}/orders/{product}", null);
                Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
            }

            // The orders service published each order to its vhost; the worker took both from the queue and acknowledged them.
            JsonElement Queue()
            {
                var ls = Repository.RunAutonomyAsync(folder, ["mq", "ls", "--vhost", "orders", "--format", "json"], env).Result;
                Assert.True(ls.ExitCode == 0, ls.ToString());
                return JsonDocument.Parse(ls.StandardOutput).RootElement.GetProperty("queues").EnumerateArray()
                    .Single(q => q.GetProperty("name").GetString() == "order-confirmations").Clone();
            }
            await RunningProject.WaitUntilAsync(() =>
            {
                var queue = Queue();
                return queue.GetProperty("published").GetInt64() >= 2 && queue.GetProperty("messages").GetInt64() == 0;
            }, "the worker acknowledged both orders' messages", TimeSpan.FromSeconds(60));
            var logs = (await Repository.RunAutonomyAsync(folder, ["logs", "worker"], env)).StandardOutput;
            Assert.Contains("confirmation sent for order 1 (tea)", logs, StringComparison.Ordinal);
            Assert.Contains("confirmation sent for order 2 (pot)", logs, StringComparison.Ordinal);
        }
        finally
        {
            var down = await Repository.RunAutonomyAsync(folder, ["down"], env);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autonomy.Server.Hosting;
using Autonomy.Tests.Messaging.Api;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Cli;

/// <summary><c>autonomy mq</c> against a running project of two services, verb by verb as a user types them.</summary>
public sealed class MqCommandTests() : RunningCliProject("mqcli")
{
    protected override string Services => "  web:\n    command: sleep 300\n  api:\n    command: sleep 300\n";

    private HttpClient Admin()
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ServerRecord.ReadLive(State)!.Port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServerRecord.AdminToken(State));
        return client;
    }

    [Fact]
    public async Task PublishListAndTailAQueue()
    {
        using var admin = Admin();
        var unroutable = await Run("mq", "publish", "--vhost", "web", "-k", "jobs", "lost");
        Assert.Equal(1, unroutable.ExitCode);
        Assert.Contains("no queue took the message", unroutable.StandardError, StringComparison.Ordinal);

        await admin.SendAsync("PUT", "/v1/mq/vhosts/web/queues/jobs", new { });
        Assert.Contains("published to amq.default with routing key 'jobs'", await Ok("mq", "publish", "--vhost", "web", "-k", "jobs", "-H", "attempt=2", "--message-id", "j-1", "first"), StringComparison.Ordinal);
        var piped = await Repository.RunAutonomyAsync(Project.Directory, ["mq", "publish", "--vhost", "web", "-k", "jobs", "--persistent", "false"], stdin: "from stdin\n"u8.ToArray());
        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Contains("transient", piped.StandardOutput, StringComparison.Ordinal);

        var table = await Ok("mq", "ls");
        Assert.Contains("VHOST", table, StringComparison.Ordinal);
        var jobs = table.Split('\n').Single(l => l.Contains(" jobs ", StringComparison.Ordinal));
        Assert.Equal(["web", "jobs", "2", "0", "0", "0", "-"], jobs.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        using (var json = JsonDocument.Parse(await Ok("mq", "ls", "--vhost", "web", "--all", "--format", "json")))
        {
            Assert.Equal(["web"], json.RootElement.GetProperty("vhosts").EnumerateArray().Select(v => v.Text("name")));
            Assert.Equal(2, json.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.Text("name") == "jobs").Number("ready"));
            Assert.Contains(json.RootElement.GetProperty("exchanges").EnumerateArray(), e => e.Text("name") == "amq.topic");
        }
        var message = (await admin.SendAsync("GET", "/v1/mq/vhosts/web/queues/jobs/messages?max=2")).EnumerateArray().First();
        Assert.Equal("first", message.Text("payload"));
        Assert.Equal(2, message.GetProperty("properties").GetProperty("headers").GetProperty("attempt").GetInt32());

        // The tail shows what enters the queue and takes nothing; Ctrl-C ends it.
        var start = new ProcessStartInfo(Repository.Launcher, ["mq", "tail", "--vhost", "web", "jobs"])
        {
            WorkingDirectory = Project.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var tail = Process.Start(start)!;
        var seen = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            while (await tail.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (seen)
                {
                    seen.AppendLine(line);
                }
            }
        });
        // The tail starts listening a moment after it starts: publish until it shows one.
        await RunningProject.WaitUntilAsync(() =>
        {
            Ok("mq", "publish", "--vhost", "web", "-k", "jobs", "--message-id", "tailed", "watch me").Wait();
            lock (seen)
            {
                return seen.ToString().Contains("amq.default jobs [tailed]: watch me", StringComparison.Ordinal);
            }
        }, "the tail shows a published message");
        Process.Start("kill", ["-INT", tail.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await tail.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, tail.ExitCode);
        await reading;
        // Nothing was taken by the tail: the two leased above, and every one it saw, are all still there.
        Assert.True((await admin.SendAsync("GET", "/v1/mq/vhosts/web/queues/jobs")).Number("messages") >= 3);
    }

    [Fact]
    public async Task DeadLettersAreListedAndRequeued()
    {
        using var admin = Admin();
        Assert.Contains("no queue in vhost 'api' receives dead letters", await Ok("mq", "dlq", "ls", "--vhost", "api"), StringComparison.Ordinal);
        await admin.SendAsync("PUT", "/v1/mq/vhosts/api/exchanges/dlx", new { type = "fanout" });
        await admin.SendAsync("PUT", "/v1/mq/vhosts/api/queues/dead", new { });
        await admin.SendAsync("POST", "/v1/mq/vhosts/api/bindings", new { source = "dlx", destination = "dead" });
        await admin.SendAsync("PUT", "/v1/mq/vhosts/api/queues/work", new { arguments = new Dictionary<string, object> { ["x-dead-letter-exchange"] = "dlx" } });
        await Ok("mq", "publish", "--vhost", "api", "-k", "work", "poison");
        var got = (await admin.SendAsync("GET", "/v1/mq/vhosts/api/queues/work/messages")).EnumerateArray().Single();
        await admin.SendAsync("POST", "/v1/mq/vhosts/api/queues/work/nack", new { receipts = new[] { got.Text("receipt") }, requeue = false });
        await RunningProject.WaitUntilAsync(() => admin.SendAsync("GET", "/v1/mq/vhosts/api/queues/dead").Result.Number("messages") == 1, "the dead letter reached its queue");

        var listed = (await Ok("mq", "dlq", "ls", "--vhost", "api")).Split('\n');
        Assert.StartsWith("QUEUE", listed[0], StringComparison.Ordinal);
        var row = listed[1].Split("   ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["dead", "1", "work"], row[..3]);
        Assert.Equal(["rejected", "work"], row[^2..]);

        Assert.Equal("requeued 1 message from dead\n", await Ok("mq", "dlq", "requeue", "--vhost", "api", "dead", "--max", "5"));
        Assert.Equal(1, (await admin.SendAsync("GET", "/v1/mq/vhosts/api/queues/work")).Number("ready"));
        var missing = await Run("mq", "dlq", "requeue", "--vhost", "api", "ghost");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: NOT_FOUND - no queue 'ghost' in vhost 'api'", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithSeveralServicesTheVhostMustBeNamed()
    {
        var result = await Run("mq", "dlq", "ls");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: give --vhost: the project 'mqcli' has 2 services", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("the vhosts are api, web", result.StandardError, StringComparison.Ordinal);
    }
}

/// <summary>With one service, <c>autonomy mq</c> works in its vhost without being told.</summary>
public sealed class MqSingleServiceCommandTests() : RunningCliProject("mqone")
{
    [Fact]
    public async Task TheOnlyServicesVhostIsTheDefault()
    {
        var unroutable = await Run("mq", "publish", "-k", "nowhere", "x");
        Assert.Contains("nothing in vhost 'web' is bound", unroutable.StandardError, StringComparison.Ordinal);
        Assert.Contains("no queue took the message", (await Run("mq", "publish", "--exchange", "amq.fanout", "x")).StandardError, StringComparison.Ordinal);
        var missing = await Run("mq", "tail", "ghost");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("NOT_FOUND - no queue 'ghost' in vhost 'web'", missing.StandardError, StringComparison.Ordinal);
    }
}

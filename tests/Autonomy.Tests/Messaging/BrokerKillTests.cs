using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging;

/// <summary>
/// A real <c>kill -9</c> of the server and of a publisher in the middle of a stream of confirmed publishes: after a
/// restart every message whose publish was confirmed is delivered, and nothing is delivered that was never sent.
/// (The kernel keeps written pages across a process kill; the log's crash tests, which drop what was not fsynced,
/// cover a power cut.)
/// </summary>
public sealed class BrokerKillTests : IAsyncLifetime
{
    private const string Name = "mqkill";

    // A publisher in another process, as a service would be: 8 threads, each on its own keep-alive connection,
    // printing "sent N" before each publish and "ok N" once the server confirmed it.
    private const string Publisher = """
        import http.client, sys, threading
        port, token = int(sys.argv[1]), sys.argv[2]
        lock = threading.Lock()
        def say(line):
            with lock:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
        def publish(worker):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            n = 0
            while True:
                body = f"message {worker}-{n} ".ljust(1024, "x")
                say(f"sent {worker}-{n}")
                connection.request("POST", "/v1/mq/vhosts/web/exchanges/amq.default/publish?routing_key=crash", body=body,
                                   headers={"Authorization": "Bearer " + token, "Content-Type": "text/plain"})
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    say(f"ok {worker}-{n}")
                n += 1
        for worker in range(8):
            threading.Thread(target=publish, args=(worker,)).start()
        """;

    private readonly TempProject _project = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Repository.RunAutonomyAsync(_project.Directory, ["down"]);
        _project.Dispose();
    }

    private (int Pid, int Port, string Token) Server()
    {
        var state = Path.Combine(_project.Directory, ".autonomy", Name);
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "server.json")));
        return (record.RootElement.GetProperty("pid").GetInt32(), record.RootElement.GetProperty("port").GetInt32(),
            File.ReadAllText(Path.Combine(state, "admin-token")).Trim());
    }

    private static HttpClient Client(int port, string token)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task EveryConfirmedPublishIsDeliveredAfterTheServerAndThePublisherAreKilled()
    {
        _project.Write("compose.yaml", $"name: {Name}\nservices:\n  web:\n    command: sleep 300\n");
        _project.Write("publisher.py", Publisher);
        var up = await Repository.RunAutonomyAsync(_project.Directory, ["up", "-d"]);
        Assert.True(up.ExitCode == 0, up.ToString());
        var (pid, port, token) = Server();
        using (var http = Client(port, token))
        {
            using var declared = await http.PutAsync("/v1/mq/vhosts/web/queues/crash", JsonContent("""{"durable": true}"""));
            Assert.True(declared.IsSuccessStatusCode, await declared.Content.ReadAsStringAsync());
        }

        var sent = new HashSet<string>();
        var confirmed = new HashSet<string>();
        var enough = new TaskCompletionSource();
        using var publisher = Process.Start(new ProcessStartInfo("python3", ["-u", Path.Combine(_project.Directory, "publisher.py"), $"{port}", token])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        publisher.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not { } text)
            {
                return;
            }
            lock (sent)
            {
                (text.StartsWith("ok ", StringComparison.Ordinal) ? confirmed : sent).Add(text[(text.IndexOf(' ') + 1)..]);
                if (confirmed.Count >= 2000)
                {
                    enough.TrySetResult();
                }
            }
        };
        publisher.BeginOutputReadLine();
        await enough.Task.WaitAsync(TimeSpan.FromSeconds(120));

        // Both die at once, mid-stream, with publishes in flight.
        Process.GetProcessById(pid).Kill();
        publisher.Kill();
        await publisher.WaitForExitAsync();
        HashSet<string> confirmedAtKill, sentAtKill;
        lock (sent)
        {
            confirmedAtKill = [.. confirmed];
            sentAtKill = [.. sent];
        }

        var again = await Repository.RunAutonomyAsync(_project.Directory, ["up", "-d"]);
        Assert.True(again.ExitCode == 0, again.ToString());
        var (_, portAfter, tokenAfter) = Server();
        var delivered = new HashSet<string>();
        var redelivered = 0;
        using (var http = Client(portAfter, tokenAfter))
        {
            while (true)
            {
                using var batch = JsonDocument.Parse(await http.GetStringAsync("/v1/mq/vhosts/web/queues/crash/messages?max=1000&wait=1s&lease=60s"));
                var messages = batch.RootElement.EnumerateArray().ToList();
                if (messages.Count == 0)
                {
                    break;
                }
                foreach (var message in messages)
                {
                    var payload = message.GetProperty("payload").GetString()!;
                    Assert.StartsWith("message ", payload);
                    delivered.Add(payload.Split(' ')[1]);
                    redelivered += message.GetProperty("redelivered").GetBoolean() ? 1 : 0;
                }
                var receipts = JsonSerializer.Serialize(new { receipts = messages.Select(m => m.GetProperty("receipt").GetString()) });
                using var acked = await http.PostAsync("/v1/mq/vhosts/web/queues/crash/ack", JsonContent(receipts));
                Assert.True(acked.IsSuccessStatusCode, await acked.Content.ReadAsStringAsync());
            }
        }

        var lost = confirmedAtKill.Except(delivered).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {confirmedAtKill.Count} confirmed messages were not delivered after the restart, e.g. {string.Join(", ", lost.Take(5))}");
        var invented = delivered.Except(sentAtKill).ToList();
        Assert.True(invented.Count == 0, $"{invented.Count} delivered messages were never sent, e.g. {string.Join(", ", invented.Take(5))}");
        Assert.True(delivered.Count >= confirmedAtKill.Count);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}

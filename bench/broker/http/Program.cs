using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// The broker through its HTTP API, as a service without an AMQP client uses it: 1 KB persistent messages to a
// durable queue, each publisher and consumer on a keep-alive connection of its own.
//   confirm: N publishers, each waiting for its publish's answer (the message is on disk) before the next;
//   consume: the same publishers plus N consumers long-polling (max 100, wait 1 s) and acking each batch;
//            latency is from the publish's start to its receipt by a consumer.
// Both modes run unmeasured for a moment first (warm-up).
// --count-only N: publishers only, N of them; prints the number of confirmed publishes alone (for strace).
var options = Options.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri(options.Url.TrimEnd('/') + $"/v1/mq/vhosts/{options.Vhost}/"),
    Timeout = TimeSpan.FromSeconds(60),
};
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);

if (options.CountOnly is { } only)
{
    var run = await Run(http, only, consume: false, options.Seconds);
    Console.WriteLine(run.Messages.ToString(CultureInfo.InvariantCulture));
    return;
}
// A fresh server runs its first calls through the JIT's quick tier; a few seconds of both modes first, unmeasured,
// so that the figures are those of a server that has been up a while.
await Run(http, 8, consume: false, Math.Min(2, options.Seconds));
await Run(http, 8, consume: true, Math.Min(2, options.Seconds));
Console.WriteLine("| mode | publishers | messages/s | p50 | p99 |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var consume in new[] { false, true })
{
    foreach (var publishers in new[] { 1, 8, 64 })
    {
        var run = await Run(http, publishers, consume, options.Seconds);
        Console.WriteLine(FormattableString.Invariant(
            $"| {(consume ? "publish+consume+ack" : "publish-with-confirm")} | {publishers} | {run.Messages / run.Seconds:N0} | {Percentile(run.Latencies, 0.50):0.00} ms | {Percentile(run.Latencies, 0.99):0.00} ms |"));
    }
}

static async Task<(long Messages, double Seconds, List<double> Latencies)> Run(HttpClient http, int publishers, bool consume, double seconds)
{
    var queue = $"{(consume ? "consume" : "confirm")}-{publishers}-{Guid.NewGuid():N}"[..24];
    await Check(await http.PutAsync($"queues/{queue}", Json("""{"durable": true}""")), "declare");
    var stop = Stopwatch.StartNew();
    var duration = TimeSpan.FromSeconds(seconds);
    var published = 0L;
    var publishLatencies = new List<double>[publishers];
    var consumerLatencies = new List<double>[consume ? publishers : 0];
    var publishing = Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
    {
        var latencies = publishLatencies[p] = [];
        var filler = new string('x', 1024);
        while (stop.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            // The first 20 characters carry the start time, so that a consumer can tell the end-to-end latency.
            var body = (started.ToString("D19", CultureInfo.InvariantCulture) + " " + filler)[..1024];
            using var content = new StringContent(body, Encoding.ASCII, "text/plain");
            await Check(await http.PostAsync($"exchanges/amq.default/publish?routing_key={queue}", content), "publish");
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Interlocked.Increment(ref published);
        }
    })).ToList();
    var consumed = 0L;
    var consuming = Enumerable.Range(0, consumerLatencies.Length).Select(c => Task.Run(async () =>
    {
        var latencies = consumerLatencies[c] = [];
        while (stop.Elapsed < duration + TimeSpan.FromSeconds(1) && (stop.Elapsed < duration || Interlocked.Read(ref consumed) < Interlocked.Read(ref published)))
        {
            using var response = await http.GetAsync($"queues/{queue}/messages?max=100&wait=1s&lease=60s");
            await Check(response, "receive", keep: true);
            var now = Stopwatch.GetTimestamp();
            using var batch = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var receipts = new List<string>();
            foreach (var message in batch.RootElement.EnumerateArray())
            {
                var started = long.Parse(message.GetProperty("payload").GetString()!.AsSpan(0, 19), CultureInfo.InvariantCulture);
                latencies.Add(Stopwatch.GetElapsedTime(started, now).TotalMilliseconds);
                receipts.Add(message.GetProperty("receipt").GetString()!);
            }
            if (receipts.Count > 0)
            {
                await Check(await http.PostAsync($"queues/{queue}/ack", Json(JsonSerializer.Serialize(new { receipts }))), "ack");
                Interlocked.Add(ref consumed, receipts.Count);
            }
        }
    })).ToList();
    await Task.WhenAll(publishing);
    var elapsed = stop.Elapsed.TotalSeconds;
    await Task.WhenAll(consuming);
    await Check(await http.DeleteAsync($"queues/{queue}"), "delete");
    return consume
        ? (consumed, stop.Elapsed.TotalSeconds, consumerLatencies.SelectMany(l => l).ToList())
        : (published, elapsed, publishLatencies.SelectMany(l => l).ToList());
}

static double Percentile(List<double> values, double p)
{
    if (values.Count == 0)
    {
        return double.NaN;
    }
    values.Sort();
    return values[Math.Min(values.Count - 1, (int)(p * values.Count))];
}

static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

// Disposes the response unless told it is still to be read.
static async Task Check(HttpResponseMessage response, string what, bool keep = false)
{
    if (!response.IsSuccessStatusCode)
    {
        var detail = await response.Content.ReadAsStringAsync();
        response.Dispose();
        throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {detail}");
    }
    if (!keep)
    {
        response.Dispose();
    }
}

internal sealed record Options(string Url, string Token, string Vhost, double Seconds, int? CountOnly)
{
    public static Options Parse(string[] args)
    {
        string? url = null, token = null, vhost = "bench";
        var seconds = 3.0;
        int? countOnly = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--url": url = args[i + 1]; break;
                case "--token": token = args[i + 1]; break;
                case "--vhost": vhost = args[i + 1]; break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--count-only": countOnly = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}: use --url, --token, --vhost, --seconds, --count-only");
            }
        }
        return new Options(url ?? throw new ArgumentException("--url is required"), token ?? throw new ArgumentException("--token is required"), vhost, seconds, countOnly);
    }
}

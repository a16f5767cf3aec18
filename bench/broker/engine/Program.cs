using System.Diagnostics;
using System.Globalization;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

// Engine-level throughput and latency of 1 KB persistent messages to a durable queue on the real disk:
//   confirm: N publishers, each awaiting its publish (completed = fsynced) before the next;
//   consume: the same publishers plus N consumers (prefetch 100, manual ack); latency is publish start to delivery.
var seconds = 3.0;
var directory = Path.Combine(Path.GetTempPath(), "autonomy-engine-bench-" + Guid.NewGuid().ToString("N")[..8]);
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--dir": directory = args[++i]; break;
    }
}

Console.WriteLine("| mode | publishers | messages/s | p50 | p99 | fsyncs per message |");
Console.WriteLine("|---|---|---|---|---|---|");
try
{
    foreach (var consume in new[] { false, true })
    {
        foreach (var publishers in new[] { 1, 8, 64 })
        {
            await RunAsync(Path.Combine(directory, $"{(consume ? "consume" : "confirm")}-{publishers}"), publishers, consume, seconds);
        }
    }
}
finally
{
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

static async Task RunAsync(string directory, int publishers, bool consume, double seconds)
{
    await using var broker = await Broker.OpenAsync(new BrokerOptions { Directory = directory });
    var vhost = await broker.DeclareVirtualHostAsync("bench");
    await vhost.DeclareQueueAsync(new QueueDeclaration("q"));
    var properties = new MessageProperties { DeliveryMode = 2 };
    var latencies = new List<double>[publishers];
    var stop = Stopwatch.StartNew();
    var duration = TimeSpan.FromSeconds(seconds);
    var sessions = new List<Session>();
    var consumed = new List<double>();
    if (consume)
    {
        for (var c = 0; c < publishers; c++)
        {
            var session = vhost.OpenSession();
            session.SetPrefetch(100, global: false);
            await session.ConsumeAsync("q", "", false, false, null, new AckingSink(session, consumed));
            sessions.Add(session);
        }
    }
    var fsyncsBefore = broker.Stats.Fsyncs;
    var started = Stopwatch.GetTimestamp();
    var tasks = Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
    {
        var mine = latencies[p] = [];
        var body = new byte[1024];
        while (stop.Elapsed < duration)
        {
            var begin = Stopwatch.GetTimestamp();
            BitConverter.TryWriteBytes(body, begin);
            await vhost.PublishAsync("", "q", properties, body);
            mine.Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    var published = latencies.Sum(l => l.Count);
    if (consume)
    {
        var deadline = Stopwatch.StartNew();
        while (vhost.GetQueue("q").Messages > 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }
    }
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var fsyncs = broker.Stats.Fsyncs - fsyncsBefore;
    var sample = consume ? Snapshot(consumed) : latencies.SelectMany(l => l).ToList();
    sample.Sort();
    foreach (var session in sessions)
    {
        await session.DisposeAsync();
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {(consume ? "publish+consume+ack" : "publish with confirm")} | {publishers} | {published / elapsed:N0} | {Percentile(sample, 0.50):F2} ms | {Percentile(sample, 0.99):F2} ms | {(double)fsyncs / Math.Max(1, published):F3} |"));
}

static List<double> Snapshot(List<double> values)
{
    lock (values)
    {
        return [.. values];
    }
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

/// <summary>Acks each delivery as it comes and notes how long after its publish started it arrived.</summary>
internal sealed class AckingSink(Session session, List<double> latencies) : IDeliverySink
{
    public void Deliver(Delivery delivery)
    {
        var sent = BitConverter.ToInt64(delivery.Body.Span);
        var latency = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        lock (latencies)
        {
            latencies.Add(latency);
        }
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.session.Ack(state.tag, false), (session, tag: delivery.DeliveryTag), preferLocal: true);
    }

    public void Cancelled(string consumerTag)
    {
    }
}

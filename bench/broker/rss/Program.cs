using System.Diagnostics;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

// Fills one durable queue with persistent 1 KB messages (no consumer), then prints the process's resident memory
// and fails when it is above the limit: the broker keeps a small entry per message and reads bodies back from disk.
var messages = 1_000_000;
var limitMb = 300;
var directory = Path.Combine(Path.GetTempPath(), "autonomy-rss-" + Guid.NewGuid().ToString("N")[..8]);
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--messages": messages = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--limit-mb": limitMb = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--dir": directory = args[++i]; break;
    }
}

var clock = Stopwatch.StartNew();
try
{
    await using (var broker = await Broker.OpenAsync(new BrokerOptions { Directory = directory }))
    {
        var vhost = await broker.DeclareVirtualHostAsync("rss");
        await vhost.DeclareQueueAsync(new QueueDeclaration("deep"));
        var properties = new MessageProperties { DeliveryMode = 2, ContentType = "application/octet-stream" };
        var body = new byte[1024];
        Random.Shared.NextBytes(body);
        var window = new List<Task>(512);
        for (var i = 0; i < messages; i++)
        {
            window.Add(vhost.PublishAsync("", "deep", properties, body).AsTask());
            if (window.Count == window.Capacity)
            {
                await Task.WhenAll(window);
                window.Clear();
            }
        }
        await Task.WhenAll(window);
        var queued = vhost.GetQueue("deep").Messages;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var (rss, peak) = Resident();
        var stats = broker.Stats;
        Console.WriteLine($"{queued:N0} persistent 1 KB messages queued in {clock.Elapsed.TotalSeconds:F1} s ({queued / clock.Elapsed.TotalSeconds:N0}/s)");
        Console.WriteLine($"log: {stats.LogSegments} segments, {stats.LogBytes / (1 << 20):N0} MiB; managed heap {GC.GetTotalMemory(false) / (1 << 20):N0} MiB");
        Console.WriteLine($"RSS {rss / 1024:N0} MiB now, {peak / 1024:N0} MiB at the peak (limit {limitMb} MiB)");
        if (queued != messages)
        {
            Console.Error.WriteLine($"FAIL: {queued} messages queued, expected {messages}");
            return 1;
        }
        if (peak / 1024 > limitMb)
        {
            Console.Error.WriteLine($"FAIL: the broker's resident memory peaked at {peak / 1024} MiB, above {limitMb} MiB");
            return 1;
        }
    }
    Console.WriteLine("ok");
    return 0;
}
finally
{
    if (Directory.Exists(directory))
    {
        Directory.Delete(directory, recursive: true);
    }
}

// VmRSS and VmHWM (the peak) from /proc, in KiB.
static (long Rss, long Peak) Resident()
{
    long rss = 0, peak = 0;
    foreach (var line in File.ReadLines("/proc/self/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
        {
            peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
    }
    return (rss, peak);
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Autonomy.Bench.Config;

/// <summary>Runs every measurement against every target, the targets one after the other within each
/// measurement so that both see the machine in the same state, and reports the medians.</summary>
internal sealed class BenchRun(BenchOptions options, IReadOnlyList<IConfigTarget> targets)
{
    private const string Connections =
        "every client and every watcher has a connection of its own: Autonomy an HTTP/1.1 connection (one SSE stream per watcher), " +
        "etcd a gRPC channel, i.e. an HTTP/2 connection (one Watch stream per watcher)";

    private readonly List<Dictionary<string, Dictionary<string, double>>> _runs = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var target in targets)
        {
            Progress($"checking {target.Name}");
            await target.PrepareAsync(cancellationToken);
        }
        Console.WriteLine(Placement());
        Console.WriteLine(Connections);
        for (var run = 1; run <= options.Runs; run++)
        {
            var results = new Dictionary<string, Dictionary<string, double>>();
            _runs.Add(results);
            await MeasureAsync(run, results, cancellationToken);
        }
        PrintTable();
        if (options.JsonPath is not null)
        {
            await WriteJsonAsync(options.JsonPath, cancellationToken);
        }
    }

    private async Task MeasureAsync(int run, Dictionary<string, Dictionary<string, double>> results, CancellationToken ct)
    {
        void Record(string metric, IConfigTarget target, double value)
        {
            if (!results.TryGetValue(metric, out var bySystem))
            {
                results[metric] = bySystem = [];
            }
            bySystem[target.Name] = value;
        }

        var duration = TimeSpan.FromSeconds(options.Seconds);
        var runLabel = $"run {run}/{options.Runs}";
        foreach (var watchers in options.Watchers)
        {
            foreach (var target in targets)
            {
                Progress($"{runLabel}: {target.Name}, write to notified with {watchers} watcher{(watchers == 1 ? "" : "s")}");
                var (p50, p99) = await Measurements.WriteToNotifiedAsync(target, watchers, options.WarmupWrites, options.Writes, ct);
                Record($"notify_p50_ms_{watchers}w", target, p50);
                Record($"notify_p99_ms_{watchers}w", target, p99);
            }
        }
        foreach (var clients in options.Clients)
        {
            foreach (var target in targets)
            {
                Progress($"{runLabel}: {target.Name}, reads with {clients} client{(clients == 1 ? "" : "s")}");
                Record($"reads_per_s_{clients}c", target, await Measurements.ReadsPerSecondAsync(target, clients, duration, false, ct));
                if (target is EtcdTarget)
                {
                    Progress($"{runLabel}: {target.Name}, serializable reads with {clients} client{(clients == 1 ? "" : "s")}");
                    Record($"reads_serializable_per_s_{clients}c", target, await Measurements.ReadsPerSecondAsync(target, clients, duration, true, ct));
                }
            }
        }
        foreach (var clients in options.Clients)
        {
            foreach (var target in targets.OfType<AutonomyTarget>())
            {
                Progress($"{runLabel}: {target.Name}, GET /healthz with {clients} client{(clients == 1 ? "" : "s")}");
                Record($"http_floor_per_s_{clients}c", target, await Measurements.HttpFloorPerSecondAsync(target, clients, duration, ct));
            }
        }
        foreach (var clients in options.Clients)
        {
            foreach (var target in targets)
            {
                Progress($"{runLabel}: {target.Name}, durable writes with {clients} client{(clients == 1 ? "" : "s")}");
                Record($"writes_per_s_{clients}c", target, await Measurements.WritesPerSecondAsync(target, clients, duration, ct));
            }
        }
        foreach (var clients in options.Clients)
        {
            foreach (var target in targets.Where(t => t.ServerPid is not null))
            {
                Progress($"{runLabel}: {target.Name}, fsyncs of {options.FsyncWrites} writes by {clients} client{(clients == 1 ? "" : "s")} (strace attached)");
                var count = await Measurements.FsyncsPerWriteAsync(target, clients, options.FsyncWrites, ct);
                Record($"fsyncs_per_write_{clients}c", target, count.PerWrite);
                Record($"fsync_calls_{clients}c", target, count.Fsync);
                Record($"fdatasync_calls_{clients}c", target, count.Fdatasync);
                Record($"sync_file_range_calls_{clients}c", target, count.SyncFileRange);
                Record($"fsync_acknowledged_writes_{clients}c", target, count.AcknowledgedWrites);
                if (clients == 1 && count.PerWrite < 1)
                {
                    Console.WriteLine($"warning: {target.Name} made {count.Fsync + count.Fdatasync} fsyncs for {count.AcknowledgedWrites} sequential writes: fewer than one per acknowledged write");
                }
            }
        }
    }

    private double Median(string metric, string system)
    {
        var values = _runs
            .Select(r => r.TryGetValue(metric, out var s) && s.TryGetValue(system, out var v) ? v : double.NaN)
            .Where(v => !double.IsNaN(v))
            .Order()
            .ToArray();
        if (values.Length == 0)
        {
            return double.NaN;
        }
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private void PrintTable()
    {
        var table = new StringBuilder();
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Medians of {options.Runs} run{(options.Runs == 1 ? "" : "s")}; {options.Writes} writes per watcher count, {options.Seconds:0.#} s per throughput figure, {options.FsyncWrites} writes per fsync count.");
        table.AppendLine();
        table.AppendLine("| metric | Autonomy | etcd | ratio (>1: Autonomy better) |");
        table.AppendLine("|---|---:|---:|---:|");
        foreach (var metric in Metric.All(options))
        {
            var autonomy = Median(metric.AutonomyKey ?? metric.Key, "Autonomy");
            var etcd = Median(metric.Key, "etcd");
            var ratio = double.IsNaN(autonomy) || double.IsNaN(etcd) || autonomy == 0 || etcd == 0
                ? "–"
                : metric.HigherIsBetter
                    ? $"{(autonomy / etcd).ToString("0.00", CultureInfo.InvariantCulture)} (Autonomy/etcd)"
                    : $"{(etcd / autonomy).ToString("0.00", CultureInfo.InvariantCulture)} (etcd/Autonomy)";
            table.AppendLine(CultureInfo.InvariantCulture, $"| {metric.Label} | {Format(autonomy, metric.Format)} | {Format(etcd, metric.Format)} | {ratio} |");
        }
        Console.Write(table.ToString());
    }

    private async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        var medians = new SortedDictionary<string, Dictionary<string, double?>>();
        foreach (var metric in _runs.SelectMany(r => r.Keys).Distinct())
        {
            medians[metric] = targets.ToDictionary(t => t.Name, t => Nullable(Median(metric, t.Name)));
        }
        var document = new Dictionary<string, object>
        {
            ["setup"] = new Dictionary<string, object?>
            {
                ["runs"] = options.Runs,
                ["writesPerWatcherCount"] = options.Writes,
                ["warmupWrites"] = options.WarmupWrites,
                ["secondsPerThroughput"] = options.Seconds,
                ["fsyncWrites"] = options.FsyncWrites,
                ["watchers"] = options.Watchers,
                ["clients"] = options.Clients,
                ["placement"] = Placement(),
                ["connections"] = Connections,
            },
            ["medians"] = medians,
            ["runs"] = _runs.Select(r => r.ToDictionary(m => m.Key, m => m.Value.ToDictionary(s => s.Key, s => Nullable(s.Value)))).ToList(),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        Progress($"raw numbers written to {path}");
    }

    private string Placement()
    {
        var parts = new List<string> { $"driver on CPU {CpusOf("self")}" };
        parts.AddRange(targets.Select(t => t.ServerPid is { } pid
            ? $"{t.Name} server (pid {pid}) on CPU {CpusOf(pid.ToString(CultureInfo.InvariantCulture))}"
            : $"{t.Name} server on unknown CPUs"));
        return string.Join("; ", parts);
    }

    private static string CpusOf(string pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static double? Nullable(double value) => double.IsNaN(value) ? null : value;

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static void Progress(string message) => Console.Error.WriteLine($"  {message}");
}

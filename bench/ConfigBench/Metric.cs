namespace Autonomy.Bench.Config;

/// <summary>One line of the table.</summary>
/// <param name="Key">The name of its numbers in the JSON.</param>
/// <param name="AutonomyKey">Where Autonomy's number comes from when it is another metric's (its reads
/// are compared with etcd's serializable reads too).</param>
internal sealed record Metric(string Key, string Label, string Format, bool HigherIsBetter, string? AutonomyKey = null)
{
    public static IEnumerable<Metric> All(BenchOptions options)
    {
        foreach (var w in options.Watchers)
        {
            yield return new($"notify_p50_ms_{w}w", $"write to notified, p50, {Watchers(w)} (ms)", "0.00", false);
            yield return new($"notify_p99_ms_{w}w", $"write to notified, p99, {Watchers(w)} (ms)", "0.00", false);
        }
        foreach (var c in options.Clients)
        {
            yield return new($"reads_per_s_{c}c", $"reads/s, {Clients(c)}", "N0", true);
        }
        foreach (var c in options.Clients)
        {
            yield return new($"reads_serializable_per_s_{c}c", $"reads/s, {Clients(c)}, etcd serializable", "N0", true, $"reads_per_s_{c}c");
        }
        foreach (var c in options.Clients)
        {
            yield return new($"http_floor_per_s_{c}c", $"GET /healthz/s (HTTP alone, no store), {Clients(c)}", "N0", true);
        }
        foreach (var c in options.Clients)
        {
            yield return new($"writes_per_s_{c}c", $"durable writes/s, {Clients(c)}", "N0", true);
        }
        foreach (var c in options.Clients)
        {
            yield return new($"fsyncs_per_write_{c}c", $"fsync+fdatasync per acknowledged write, {Clients(c)}", "0.00", false);
        }
    }

    private static string Watchers(int n) => n == 1 ? "1 watcher" : $"{n:N0} watchers";

    private static string Clients(int n) => n == 1 ? "1 client" : $"{n} clients";
}

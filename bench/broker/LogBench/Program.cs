using System.Globalization;
using Autonomy.Bench.Broker;

// The message log's load driver: durable appends on the real disk at several concurrencies. bench/broker/run runs it.
LogBenchOptions options;
try
{
    options = LogBenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"log bench: {e.Message}");
    return 2;
}

var root = options.Directory ?? Path.Combine(Path.GetTempPath(), "autonomy-logbench-" + Guid.NewGuid().ToString("N")[..8]);
var results = new List<AppendResult>();
try
{
    foreach (var appenders in options.Appenders)
    {
        var directory = Path.Combine(root, $"appenders-{appenders}");
        results.Add(await AppendRun.MeasureAsync(directory, appenders, options.RecordBytes, TimeSpan.FromSeconds(options.Seconds)));
        Directory.Delete(directory, recursive: true);
    }
}
finally
{
    if (options.Directory is null && Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}

if (options.CountOnly)
{
    // strace sees the fsyncs of the whole run, warm-up included, so every acknowledged append counts.
    Console.WriteLine(results.Sum(r => r.AllAppends).ToString(CultureInfo.InvariantCulture));
    return 0;
}
Console.WriteLine($"durable appends of {options.RecordBytes}-byte records, {options.Seconds:0.#} s each, on {root}");
Console.WriteLine($"{"appenders",9}  {"appends/s",10}  {"p50 ms",8}  {"p99 ms",8}  {"fsyncs/append",13}  {"appends/fsync",13}");
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Appenders,9}  {r.PerSecond,10:0}  {r.P50Ms,8:0.000}  {r.P99Ms,8:0.000}  {r.FsyncsPerAppend,13:0.000}  {1 / r.FsyncsPerAppend,13:0.0}"));
}
return 0;

using System.Diagnostics;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Bench.Broker;

/// <summary>The figures of one measurement: durable appends by a number of concurrent appenders for a while.</summary>
internal sealed record AppendResult(int Appenders, long Appends, double Seconds, double P50Ms, double P99Ms, long Fsyncs, long AllAppends)
{
    public double PerSecond => Appends / Seconds;

    public double FsyncsPerAppend => Appends == 0 ? double.NaN : (double)Fsyncs / Appends;
}

/// <summary>
/// Opens a fresh log on the real disk, lets the appenders warm up, then has each append durable records one after
/// the other (as a publisher waiting for its confirm does) and times every append.
/// </summary>
internal static class AppendRun
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    public static async Task<AppendResult> MeasureAsync(string directory, int appenders, int recordBytes, TimeSpan duration)
    {
        var log = await MessageLog.OpenAsync(directory, new OsLogFileSystem(), new MessageLogOptions(), (_, _) => { });
        try
        {
            var payload = new byte[recordBytes];
            Random.Shared.NextBytes(payload);
            var measuring = 0;
            var stop = 0;
            var latencies = new List<long>[appenders];
            var allAppends = 0L;
            var workers = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
            {
                var mine = latencies[a] = new List<long>(1 << 16);
                while (Volatile.Read(ref stop) == 0)
                {
                    var start = Stopwatch.GetTimestamp();
                    await log.AppendAsync(payload, durable: true);
                    Interlocked.Increment(ref allAppends);
                    if (Volatile.Read(ref measuring) == 1)
                    {
                        mine.Add(Stopwatch.GetTimestamp() - start);
                    }
                }
            })).ToArray();
            await Task.Delay(WarmUp);
            var fsyncsBefore = log.Stats.Fsyncs;
            var began = Stopwatch.GetTimestamp();
            Volatile.Write(ref measuring, 1);
            await Task.Delay(duration);
            Volatile.Write(ref measuring, 0);
            var elapsed = Stopwatch.GetElapsedTime(began);
            var fsyncs = log.Stats.Fsyncs - fsyncsBefore;
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(workers);

            var all = latencies.SelectMany(l => l).Order().ToArray();
            return new AppendResult(appenders, all.Length, elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), fsyncs, allAppends);
        }
        finally
        {
            await log.DisposeAsync();
        }
    }

    private static double Percentile(long[] sorted, double fraction) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(fraction * sorted.Length))] * 1000.0 / Stopwatch.Frequency;
}

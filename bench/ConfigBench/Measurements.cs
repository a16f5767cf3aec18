using System.Diagnostics;
using System.Globalization;

namespace Autonomy.Bench.Config;

/// <summary>The measurements, each run the same way against any <see cref="IConfigTarget"/>.</summary>
internal static class Measurements
{
    private static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(120);
    private static readonly string ReadValue = new('r', 64);
    private static readonly string WriteValue = new('w', 64);

    /// <summary>Time from just before a write is sent to each watcher's receipt of its event, every
    /// watcher counted, over <paramref name="writes"/> sequential writes: each write waits until all
    /// watchers have seen the previous one.</summary>
    public static async Task<(double P50Ms, double P99Ms)> WriteToNotifiedAsync(
        IConfigTarget target, int watchers, int warmup, int writes, CancellationToken cancellationToken)
    {
        var total = warmup + writes;
        var sentAt = new long[total];
        var latencies = new double[writes * watchers];
        var remaining = Enumerable.Repeat(watchers, total).ToArray();
        var allSeen = Enumerable.Range(0, total).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var lastSeen = Enumerable.Repeat(-1, watchers).ToArray();
        // Values are unique to this measurement, so a store that skips unchanged values still notifies,
        // and events of anything else are recognised and ignored.
        var tag = Guid.NewGuid().ToString("N")[..8] + "-";

        void OnChange(int watcher, string value, long receivedAt)
        {
            if (!value.StartsWith(tag, StringComparison.Ordinal) ||
                !int.TryParse(value.AsSpan(tag.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ||
                seq >= total || seq <= lastSeen[watcher])
            {
                return;
            }
            lastSeen[watcher] = seq;
            if (seq >= warmup)
            {
                latencies[(seq - warmup) * watchers + watcher] = Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[seq]), receivedAt).TotalMilliseconds;
            }
            if (Interlocked.Decrement(ref remaining[seq]) == 0)
            {
                allSeen[seq].TrySetResult();
            }
        }

        var watches = new IAsyncDisposable?[watchers];
        try
        {
            using (var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                opening.CancelAfter(OpenTimeout);
                try
                {
                    await Parallel.ForEachAsync(Enumerable.Range(0, watchers), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = opening.Token },
                        async (w, ct) => watches[w] = await target.WatchAsync((value, at) => OnChange(w, value, at), ct));
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new BenchFailure($"{target.Name}: {watches.Count(w => w is not null)} of {watchers} watches were open after {OpenTimeout.TotalSeconds:0} s");
                }
            }

            using var writer = target.CreateClient();
            for (var seq = 0; seq < total; seq++)
            {
                Volatile.Write(ref sentAt[seq], Stopwatch.GetTimestamp());
                await writer.PutAsync("watched", tag + seq.ToString(CultureInfo.InvariantCulture), cancellationToken);
                try
                {
                    await allSeen[seq].Task.WaitAsync(NotifyTimeout, cancellationToken);
                }
                catch (TimeoutException)
                {
                    throw new BenchFailure($"{target.Name}: {watchers - Volatile.Read(ref remaining[seq])} of {watchers} watchers were notified of write {seq} within {NotifyTimeout.TotalSeconds:0} s");
                }
            }
        }
        finally
        {
            await Task.WhenAll(watches.Where(w => w is not null).Select(w => w!.DisposeAsync().AsTask()));
        }
        Array.Sort(latencies);
        return (Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    /// <summary>Reads of one key per second by <paramref name="clients"/> concurrent clients, each on its own connection.</summary>
    public static async Task<double> ReadsPerSecondAsync(
        IConfigTarget target, int clients, TimeSpan duration, bool serializable, CancellationToken cancellationToken)
    {
        using (var seeder = target.CreateClient())
        {
            await seeder.PutAsync("read", ReadValue, cancellationToken);
        }
        var readers = Enumerable.Range(0, clients).Select(_ => target.CreateClient(serializable)).ToArray();
        try
        {
            // The first read opens each connection and checks the value, outside the measurement.
            await Task.WhenAll(readers.Select(async r =>
            {
                if (await r.GetAsync("read", cancellationToken) != ReadValue)
                {
                    throw new BenchFailure($"{target.Name} returned another value than the one written");
                }
            }));
            return await CountPerSecondAsync(clients, duration, (i, _, ct) => readers[i].GetAsync("read", ct), cancellationToken);
        }
        finally
        {
            Array.ForEach(readers, r => r.Dispose());
        }
    }

    /// <summary>
    /// Calls per second of GET /healthz, which reads nothing and writes nothing: what the HTTP stack alone
    /// allows on this machine, the ceiling of every other figure of Autonomy's in the table.
    /// </summary>
    public static async Task<double> HttpFloorPerSecondAsync(AutonomyTarget target, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        var callers = Enumerable.Range(0, clients).Select(_ => target.CreateHealthClient()).ToArray();
        async Task CallAsync(HttpClient http, CancellationToken ct)
        {
            using var response = await http.GetAsync("/healthz", ct);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync(ct);
        }
        try
        {
            await Task.WhenAll(callers.Select(c => CallAsync(c, cancellationToken)));
            return await CountPerSecondAsync(clients, duration, (i, _, ct) => CallAsync(callers[i], ct), cancellationToken);
        }
        finally
        {
            Array.ForEach(callers, c => c.Dispose());
        }
    }

    /// <summary>Acknowledged (durable) writes per second by <paramref name="clients"/> concurrent clients,
    /// each writing keys of its own on its own connection.</summary>
    public static async Task<double> WritesPerSecondAsync(
        IConfigTarget target, int clients, TimeSpan duration, CancellationToken cancellationToken)
    {
        var writers = Enumerable.Range(0, clients).Select(_ => target.CreateClient()).ToArray();
        try
        {
            await Task.WhenAll(writers.Select((w, i) => w.PutAsync(WriterKey(i, 0), WriteValue, cancellationToken)));
            return await CountPerSecondAsync(clients, duration, (i, n, ct) => writers[i].PutAsync(WriterKey(i, n), WriteValue, ct), cancellationToken);
        }
        finally
        {
            Array.ForEach(writers, w => w.Dispose());
        }
    }

    /// <summary>fsync and fdatasync calls of the server per acknowledged write, counted with strace
    /// while <paramref name="clients"/> concurrent clients make <paramref name="writes"/> writes in all.</summary>
    public static async Task<FsyncCount> FsyncsPerWriteAsync(
        IConfigTarget target, int clients, int writes, CancellationToken cancellationToken)
    {
        var pid = target.ServerPid ?? throw new BenchFailure($"{target.Name}: its server's process id is unknown");
        var writers = Enumerable.Range(0, clients).Select(_ => target.CreateClient()).ToArray();
        try
        {
            await Task.WhenAll(writers.Select((w, i) => w.PutAsync(WriterKey(i, 0), WriteValue, cancellationToken)));
            var perClient = Math.Max(1, writes / clients);
            await using var trace = await SyscallTrace.AttachAsync(pid, cancellationToken);
            var acknowledged = 0L;
            await Task.WhenAll(writers.Select((w, i) => Task.Run(async () =>
            {
                for (var n = 0; n < perClient; n++)
                {
                    await w.PutAsync(WriterKey(i, n), WriteValue, cancellationToken);
                    Interlocked.Increment(ref acknowledged);
                }
            }, cancellationToken)));
            var calls = await trace.StopAsync();
            return new FsyncCount(
                acknowledged,
                calls.GetValueOrDefault("fsync"),
                calls.GetValueOrDefault("fdatasync"),
                calls.GetValueOrDefault("sync_file_range"));
        }
        finally
        {
            Array.ForEach(writers, w => w.Dispose());
        }
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    // Letters, digits and hyphens only: a key that any key syntax accepts and that needs no escaping in a path.
    private static string WriterKey(int client, int n) => $"load-{client}-{n % 16}";

    private static async Task<double> CountPerSecondAsync(
        int clients, TimeSpan duration, Func<int, int, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        var count = 0L;
        var start = Stopwatch.GetTimestamp();
        var until = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            var n = 0;
            while (Stopwatch.GetTimestamp() < until)
            {
                await operation(i, n, cancellationToken);
                n++;
            }
            Interlocked.Add(ref count, n);
        }, cancellationToken)));
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

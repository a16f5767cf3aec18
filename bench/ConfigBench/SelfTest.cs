using System.Diagnostics;

namespace Autonomy.Bench.Config;

/// <summary>Checks the driver's own parts without the real servers: the Autonomy side against
/// <see cref="FakeConfigServer"/>, the fsync counting against a small process that fsyncs a known number of times.</summary>
internal static class SelfTest
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var cases = new (string Name, Func<CancellationToken, Task> Body)[]
        {
            ("SSE watches see every write, 1 and 50 watchers", WatchesSeeEveryWriteAsync),
            ("reads and writes are counted", ThroughputIsCountedAsync),
            ("a server without the config center is one clear line", MissingConfigCenterIsReportedAsync),
            ("a wrong token is one clear line", WrongTokenIsReportedAsync),
            ("strace's summary is parsed", StraceSummaryIsParsedAsync),
            ("fsyncs of a process are counted", FsyncsAreCountedAsync),
            ("a process strace cannot attach to is one clear line", UntraceableProcessIsReportedAsync),
        };
        var passed = 0;
        var failed = 0;
        foreach (var (name, body) in cases)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await body(timeout.Token);
                Console.WriteLine($"PASS {name}");
                passed++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message}");
                failed++;
            }
        }
        Console.WriteLine($"self-test: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static async Task WatchesSeeEveryWriteAsync(CancellationToken ct)
    {
        await using var fake = await StartAsync(hasConfigCenter: true);
        await using var target = Target(fake);
        await target.PrepareAsync(ct);
        foreach (var watchers in new[] { 1, 50 })
        {
            var (p50, p99) = await Measurements.WriteToNotifiedAsync(target, watchers, warmup: 3, writes: 30, ct);
            Check(p50 > 0 && p99 >= p50 && p99 < 5_000, $"{watchers} watchers: p50 {p50} ms, p99 {p99} ms");
        }
    }

    private static async Task ThroughputIsCountedAsync(CancellationToken ct)
    {
        await using var fake = await StartAsync(hasConfigCenter: true);
        await using var target = Target(fake);
        await target.PrepareAsync(ct);
        var reads = await Measurements.ReadsPerSecondAsync(target, 8, TimeSpan.FromSeconds(0.5), serializable: false, ct);
        var writes = await Measurements.WritesPerSecondAsync(target, 8, TimeSpan.FromSeconds(0.5), ct);
        Check(reads > 10 && writes > 10, $"reads/s {reads}, writes/s {writes}");
    }

    private static async Task MissingConfigCenterIsReportedAsync(CancellationToken ct)
    {
        await using var fake = await StartAsync(hasConfigCenter: false);
        await using var target = Target(fake);
        var failure = await Expect<BenchFailure>(() => target.PrepareAsync(ct));
        Check(failure.Message.Contains("404", StringComparison.Ordinal) && failure.Message.Contains("no config center", StringComparison.Ordinal) && !failure.Message.Contains('\n'),
            $"message: {failure.Message}");
    }

    private static async Task WrongTokenIsReportedAsync(CancellationToken ct)
    {
        await using var fake = await StartAsync(hasConfigCenter: true);
        await using var target = new AutonomyTarget(new Uri($"http://127.0.0.1:{fake.Port}"), "wrong", null);
        var failure = await Expect<BenchFailure>(() => target.PrepareAsync(ct));
        Check(failure.Message.Contains("401", StringComparison.Ordinal), $"message: {failure.Message}");
    }

    private static Task StraceSummaryIsParsedAsync(CancellationToken ct)
    {
        var calls = SyscallTrace.Parse(
        [
            "% time     seconds  usecs/call     calls    errors syscall",
            "------ ----------- ----------- --------- --------- ----------------",
            " 97.21    0.512345        2134       240           fdatasync",
            "  2.79    0.014706         612        24         1 fsync",
            "------ ----------- ----------- --------- --------- ----------------",
            "100.00    0.527051        1994       264         1 total",
        ]);
        Check(calls.GetValueOrDefault("fdatasync") == 240 && calls.GetValueOrDefault("fsync") == 24 && calls.Count == 2,
            string.Join(", ", calls.Select(c => $"{c.Key}={c.Value}")));
        return Task.CompletedTask;
    }

    private static async Task FsyncsAreCountedAsync(CancellationToken ct)
    {
        // Waits for a line, then makes 7 fsyncs and 5 fdatasyncs, so the count is known exactly.
        const string Script = "import os,sys,tempfile\nf=tempfile.TemporaryFile()\nsys.stdin.readline()\n" +
                              "for _ in range(7): os.fsync(f.fileno())\nfor _ in range(5): os.fdatasync(f.fileno())\nprint('done', flush=True)\nsys.stdin.readline()\n";
        using var child = Process.Start(new ProcessStartInfo("python3", ["-c", Script]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        try
        {
            await using var trace = await SyscallTrace.AttachAsync(child.Id, ct);
            await child.StandardInput.WriteLineAsync("go");
            await child.StandardInput.FlushAsync(ct);
            Check(await child.StandardOutput.ReadLineAsync(ct) == "done", "the child did not finish its fsyncs");
            var calls = await trace.StopAsync();
            Check(calls.GetValueOrDefault("fsync") == 7 && calls.GetValueOrDefault("fdatasync") == 5,
                $"counted {string.Join(", ", calls.Select(c => $"{c.Key}={c.Value}"))}");
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task UntraceableProcessIsReportedAsync(CancellationToken ct)
    {
        // A process has one tracer at most: a second strace is refused.
        using var child = Process.Start(new ProcessStartInfo("sleep", ["60"]))!;
        try
        {
            await using var first = await SyscallTrace.AttachAsync(child.Id, ct);
            var failure = await Expect<BenchFailure>(async () => await (await SyscallTrace.AttachAsync(child.Id, ct)).DisposeAsync());
            Check(failure.Message.Contains("could not attach", StringComparison.Ordinal), $"message: {failure.Message}");
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static async Task<FakeConfigServer> StartAsync(bool hasConfigCenter)
    {
        var fake = new FakeConfigServer(hasConfigCenter);
        fake.Start();
        await Task.Yield();
        return fake;
    }

    private static AutonomyTarget Target(FakeConfigServer fake)
    {
        var state = Path.Combine(Path.GetTempPath(), $"configbench-selftest-{Environment.ProcessId}-{fake.Port}");
        try
        {
            fake.WriteState(state);
            return AutonomyTarget.FromStateFolder(state);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    private static async Task<T> Expect<T>(Func<Task> action) where T : Exception
    {
        try
        {
            await action();
        }
        catch (T e)
        {
            return e;
        }
        throw new InvalidOperationException($"expected {typeof(T).Name}");
    }

    private static void Check(bool condition, string detail)
    {
        if (!condition)
        {
            throw new InvalidOperationException(detail);
        }
    }
}

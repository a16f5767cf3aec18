using System.Globalization;

namespace Autonomy.Bench.Config;

/// <summary>What to measure and against what; read from the command line.</summary>
internal sealed record BenchOptions
{
    public const string Usage =
        "usage: ConfigBench [--etcd URL] [--etcd-pid PID] [--autonomy STATE_FOLDER] [--only autonomy|etcd]\n" +
        "                   [--runs N] [--json PATH] [--writes N] [--seconds S] [--fsync-writes N]\n" +
        "                   [--watchers 1,100,1000] [--clients 1,64]\n" +
        "       ConfigBench --self-test\n" +
        "STATE_FOLDER is <project-dir>/.autonomy/<project> (it holds server.json and admin-token).";

    /// <summary>etcd's client URL, e.g. http://127.0.0.1:23790; no etcd side without it.</summary>
    public string? EtcdUrl { get; init; }

    /// <summary>etcd's process id, for counting its fsyncs; without it that metric is skipped.</summary>
    public int? EtcdPid { get; init; }

    /// <summary>The Autonomy project's state folder; no Autonomy side without it.</summary>
    public string? AutonomyState { get; init; }

    /// <summary>Repetitions of every measurement; medians are printed.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Where to write the raw numbers as JSON, if anywhere.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Measured writes per watcher count (after <see cref="WarmupWrites"/> unmeasured ones).</summary>
    public int Writes { get; init; } = 200;

    public int WarmupWrites { get; init; } = 10;

    /// <summary>How long each throughput measurement runs.</summary>
    public double Seconds { get; init; } = 3;

    /// <summary>Acknowledged writes counted while strace is attached, split among the clients.</summary>
    public int FsyncWrites { get; init; } = 640;

    public IReadOnlyList<int> Watchers { get; init; } = [1, 100, 1000];

    public IReadOnlyList<int> Clients { get; init; } = [1, 64];

    public bool SelfTest { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        string? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--self-test")
            {
                options = options with { SelfTest = true };
                continue;
            }
            if (name is "-h" or "--help")
            {
                throw new BenchFailure(Usage);
            }
            if (i + 1 >= args.Length)
            {
                throw new BenchFailure($"{name} needs a value\n{Usage}");
            }
            var value = args[++i];
            options = name switch
            {
                "--etcd" => options with { EtcdUrl = value },
                "--etcd-pid" => options with { EtcdPid = Positive(name, value) },
                "--autonomy" => options with { AutonomyState = value },
                "--runs" => options with { Runs = Positive(name, value) },
                "--json" => options with { JsonPath = value },
                "--writes" => options with { Writes = Positive(name, value) },
                "--seconds" => options with { Seconds = PositiveSeconds(name, value) },
                "--fsync-writes" => options with { FsyncWrites = Positive(name, value) },
                "--watchers" => options with { Watchers = List(name, value) },
                "--clients" => options with { Clients = List(name, value) },
                "--only" => options,
                _ => throw new BenchFailure($"unknown option {name}\n{Usage}"),
            };
            if (name == "--only")
            {
                only = value is "autonomy" or "etcd" ? value : throw new BenchFailure($"--only takes autonomy or etcd, not '{value}'");
            }
        }
        if (only == "etcd")
        {
            options = options with { AutonomyState = null };
        }
        else if (only == "autonomy")
        {
            options = options with { EtcdUrl = null, EtcdPid = null };
        }
        if (!options.SelfTest && options.EtcdUrl is null && options.AutonomyState is null)
        {
            throw new BenchFailure($"nothing to measure: give --etcd and/or --autonomy\n{Usage}");
        }
        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new BenchFailure($"{name} takes a positive whole number, not '{value}'");

    private static double PositiveSeconds(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? s
            : throw new BenchFailure($"{name} takes a positive number of seconds, not '{value}'");

    private static int[] List(string name, string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Positive(name, v))];
}

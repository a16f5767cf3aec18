using System.Globalization;

namespace Autonomy.Bench.Broker;

/// <summary>What to measure: <c>--dir PATH --seconds N --record-bytes N --appenders 1,8,64 --count-only</c>.</summary>
internal sealed record LogBenchOptions
{
    public string? Directory { get; init; }

    public double Seconds { get; init; } = 3;

    public int RecordBytes { get; init; } = 1024;

    public IReadOnlyList<int> Appenders { get; init; } = [1, 8, 64];

    /// <summary>Print only the number of acknowledged appends (for a run under strace, which counts the fsyncs).</summary>
    public bool CountOnly { get; init; }

    public static LogBenchOptions Parse(string[] args)
    {
        var options = new LogBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--dir" => options with { Directory = Value() },
                "--seconds" => options with { Seconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--record-bytes" => options with { RecordBytes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--appenders" => options with { Appenders = [.. Value().Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] },
                "--count-only" => options with { CountOnly = true },
                _ => throw new ArgumentException($"unknown option {args[i]} (known: --dir, --seconds, --record-bytes, --appenders, --count-only)"),
            };
        }
        if (options.Seconds <= 0 || options.RecordBytes < 0 || options.Appenders.Any(a => a < 1))
        {
            throw new ArgumentException("--seconds must be positive, --record-bytes not negative, --appenders at least 1 each");
        }
        return options;
    }
}

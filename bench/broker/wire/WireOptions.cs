using System.Globalization;

namespace Autonomy.Bench.Broker.Wire;

/// <summary>A broker to measure: a name for the table and its AMQP URL (amqp://user:password@host:port/vhost).</summary>
internal sealed record Target(string Name, Uri Url);

/// <summary>
/// The command line: <c>--target NAME=URL</c> (once per broker, in the order of the table's columns),
/// <c>--seconds N</c>, <c>--warmup N</c>, <c>--pairs 1,8,64</c>, <c>--windows 100,1</c>.
/// </summary>
internal sealed record WireOptions(IReadOnlyList<Target> Targets, double Seconds, double WarmupSeconds, IReadOnlyList<int> Pairs, IReadOnlyList<int> Windows)
{
    public static WireOptions Parse(string[] args)
    {
        var targets = new List<Target>();
        var seconds = 5.0;
        var warmup = 15.0;
        IReadOnlyList<int> pairs = [1, 8, 64];
        IReadOnlyList<int> windows = [100, 1];
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw Usage($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--target":
                    var equals = value.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0 || !Uri.TryCreate(value[(equals + 1)..], UriKind.Absolute, out var url) || url.Scheme != "amqp")
                    {
                        throw Usage($"--target wants NAME=amqp://user:password@host:port/vhost, not '{value}'");
                    }
                    targets.Add(new Target(value[..equals], url));
                    break;
                case "--seconds":
                    seconds = SecondsValue(args[i], value);
                    break;
                case "--warmup":
                    warmup = SecondsValue(args[i], value);
                    break;
                case "--pairs":
                    pairs = Numbers(args[i], value);
                    break;
                case "--windows":
                    windows = Numbers(args[i], value);
                    break;
                default:
                    throw Usage($"unknown option {args[i]}");
            }
            i++;
        }
        return targets.Count == 0 ? throw Usage("name at least one --target") : new WireOptions(targets, seconds, warmup, pairs, windows);
    }

    private static double SecondsValue(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? seconds
            : throw Usage($"{option} wants a number of seconds, not '{value}'");

    private static int[] Numbers(string option, string list) => [.. list.Split(',').Select(n =>
        int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw Usage($"{option} wants positive whole numbers separated by commas (e.g. 1,8,64), not '{list}'"))];

    private static ArgumentException Usage(string problem) => new(
        $"{problem}\nusage: WireBench --target NAME=amqp://user:password@host:port/vhost [--target …] [--seconds N] [--warmup N] [--pairs 1,8,64] [--windows 100,1]");
}

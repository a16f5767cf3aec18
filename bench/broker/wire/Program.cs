using System.Globalization;
using Autonomy.Bench.Broker.Wire;

// The same AMQP 0-9-1 workload against each broker named on the command line, one row at a time and the brokers
// taking turns, so that a noisy moment of the machine falls on both rather than on one:
//   N publishers, each on a connection of its own with publisher confirms and at most W messages in flight (a message
//   is in flight until it is both confirmed and delivered, so no backlog builds up behind the consumers),
//   N consumers, each on a connection of its own with prefetch 100 and a manual ack per message,
//   1 KB persistent messages, publisher i to consumer i through durable queue i (so that each broker may spread the
//   pairs over its cores: a classic queue is one Erlang process in RabbitMQ).
// Messages/s count what consumers received in the measured seconds; latency is from just before a publish to its
// delivery to the consumer (the publisher writes Stopwatch.GetTimestamp() into the body: one machine, one clock).
WireOptions options;
try
{
    options = WireOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine($"WireBench: {error.Message}");
    return 2;
}
try
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"1 KB persistent messages, durable queues, confirms, manual acks, prefetch 100; {options.Seconds:0.#} s per run after {options.WarmupSeconds:0.#} s of warm-up"));
    var header = "| in flight per publisher | publishers | " + string.Join(" | ", options.Targets.Select(t => $"{t.Name} msg/s | {t.Name} p50 | {t.Name} p99")) + " |";
    if (options.Targets.Count == 2)
    {
        header += $" {options.Targets[0].Name} / {options.Targets[1].Name} |";
    }
    Console.WriteLine(header);
    Console.WriteLine(string.Concat(Enumerable.Repeat("|---", header.Count(c => c == '|') - 1)) + "|");
    // A server that has been up a while is what is being compared: .NET runs new code through quicker, slower tiers of
    // its JIT first (a cold embedded broker does about 40% fewer messages/s in its first seconds), so each broker gets the
    // same unmeasured run first.
    foreach (var target in options.Targets)
    {
        await PairRun.ExecuteAsync(target.Url, 8, 100, options.WarmupSeconds);
    }
    foreach (var window in options.Windows)
    {
        foreach (var pairs in options.Pairs)
        {
            var results = new List<RunResult>();
            foreach (var target in options.Targets)
            {
                results.Add(await PairRun.ExecuteAsync(target.Url, pairs, window, options.Seconds));
            }
            var row = string.Create(CultureInfo.InvariantCulture, $"| {window} | {pairs} | ")
                + string.Join(" | ", results.Select(r => string.Create(CultureInfo.InvariantCulture,
                    $"{r.MessagesPerSecond:N0} | {r.Latency.Percentile(0.50):0.00} ms | {r.Latency.Percentile(0.99):0.00} ms"))) + " |";
            if (results.Count == 2)
            {
                row += string.Create(CultureInfo.InvariantCulture, $" {results[0].MessagesPerSecond / Math.Max(1, results[1].MessagesPerSecond):0.00}× |");
            }
            Console.WriteLine(row);
        }
    }
}
catch (Exception error) when (error is RabbitMQ.Client.Exceptions.BrokerUnreachableException
    or RabbitMQ.Client.Exceptions.OperationInterruptedException or InvalidOperationException)
{
    // A broker that cannot be reached or that refuses the workload: one line saying so, not a stack trace.
    Console.Error.WriteLine($"WireBench: {error.Message}{(error.InnerException is { } inner ? $" ({inner.Message})" : "")}");
    return 1;
}
return 0;

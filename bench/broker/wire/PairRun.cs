using System.Diagnostics;
using RabbitMQ.Client;

namespace Autonomy.Bench.Broker.Wire;

/// <summary>What one run measured: messages consumed per second and their publish-to-delivery latencies.</summary>
internal sealed record RunResult(double MessagesPerSecond, LatencyHistogram Latency);

/// <summary>
/// One run against one broker: <c>pairs</c> publishers and consumers through as many durable queues, each publisher
/// keeping at most <c>window</c> messages in flight (unconfirmed or not yet delivered). The first second is not
/// counted (connections settling), then <c>seconds</c> are; the queues are deleted afterwards.
/// </summary>
internal static class PairRun
{
    private static readonly TimeSpan RampUp = TimeSpan.FromSeconds(1);

    public static async Task<RunResult> ExecuteAsync(Uri url, int pairs, int window, double seconds)
    {
        var factory = new ConnectionFactory { Uri = url, ClientProvidedName = "wire-bench" };
        var run = Guid.NewGuid().ToString("N")[..8];
        var queues = Enumerable.Range(0, pairs).Select(i => $"wire-{run}-{i}").ToArray();
        await using (var admin = await factory.CreateConnectionAsync())
        await using (var channel = await admin.CreateChannelAsync())
        {
            foreach (var queue in queues)
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            }
        }

        var measuring = new Measuring();
        using var stop = new CancellationTokenSource();
        var publishers = await Task.WhenAll(queues.Select(q => Publisher.StartAsync(factory, q, window)));
        var consumers = await Task.WhenAll(queues.Select((q, i) => Consumer.StartAsync(factory, q, measuring, publishers[i].Delivered)));
        var loops = publishers.Select(p => p.RunAsync(stop.Token)).ToArray();

        await Task.Delay(RampUp);
        measuring.On = true;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        measuring.On = false;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        if (publishers.Sum(p => p.Refused) is var refused and > 0)
        {
            throw new InvalidOperationException($"{url.Host}:{url.Port} refused {refused} publishes (basic.nack): the run does not measure what it says");
        }
        var latency = new LatencyHistogram();
        foreach (var consumer in consumers)
        {
            latency.Add(consumer.Latency);
        }
        foreach (var publisher in publishers)
        {
            await publisher.DisposeAsync();
        }
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
        await using (var admin = await factory.CreateConnectionAsync())
        await using (var channel = await admin.CreateChannelAsync())
        {
            foreach (var queue in queues)
            {
                await channel.QueueDeleteAsync(queue);
            }
        }
        return new RunResult(latency.Count / elapsed, latency);
    }

    /// <summary>Whether deliveries are being counted now (the ramp-up and the tail are not).</summary>
    internal sealed class Measuring
    {
        private volatile bool _on;

        public bool On { get => _on; set => _on = value; }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// For a bounded time (AMQP_FUZZ_SECONDS, 20 by default), eight workers log in properly and then send valid frames
/// damaged at random (seed from AMQP_FUZZ_SEED, else random, and printed). Every answer must be a well-formed frame,
/// every close a protocol error's code (never 541), every connection must end. Meanwhile a well-behaved publisher
/// keeps publishing with confirms and must never see an error. Afterwards nothing is left open, a normal client works,
/// and the durable queues hold exactly what they held plus what was confirmed, in order, also after a restart.
/// The fuzzing user may touch only scratch.* names (and publish to fuzz.durable), so this oracle is exact.
/// </summary>
public sealed class AmqpFuzzTests(ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int BaselinePerQueue = 200;
    private static readonly string[] KeepQueues = ["keep.a", "keep.b"];

    [Fact]
    public async Task Mutated_frames_get_protocol_errors_and_leave_the_broker_whole()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("AMQP_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 20;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AMQP_FUZZ_SEED"), CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        output.WriteLine($"AMQP fuzz: seed {seed} (AMQP_FUZZ_SEED={seed} replays it), {seconds} s, {Workers} workers");

        var directory = Path.Combine(Path.GetTempPath(), "autonomy-amqp-fuzz-" + Guid.NewGuid().ToString("N")[..12]);
        var key = RandomNumberGenerator.GetBytes(32);
        var confirmed = KeepQueues.ToDictionary(q => q, _ => new List<string>());
        try
        {
            var host = await AmqpBrokerHost.StartAsync(
                new AmqpOptions { CloseTimeout = TimeSpan.FromSeconds(1), HandshakeTimeout = TimeSpan.FromSeconds(2) },
                broker => broker with { Directory = directory });
            await using (host)
            {
                var (fuzzPassword, cleanPassword) = await SetUpAsync(host);
                var cleanUrl = $"amqp://clean:{cleanPassword}@127.0.0.1:{host.Port}/fuzz";
                await using (var publisher = await CleanPublisher.StartAsync(cleanUrl, key, confirmed))
                {
                    await publisher.PublishAsync(BaselinePerQueue * KeepQueues.Length);

                    using var stop = new CancellationTokenSource();
                    var publishing = publisher.RunAsync(stop.Token);
                    var failures = new ConcurrentQueue<string>();
                    var iterations = 0;
                    var outcomes = new ConcurrentDictionary<string, int>();
                    var clock = Stopwatch.StartNew();
                    var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
                    {
                        for (var iteration = 0; clock.Elapsed < TimeSpan.FromSeconds(seconds) && failures.IsEmpty; iteration++)
                        {
                            var round = new FuzzIteration(host.Port, fuzzPassword, seed, worker, iteration);
                            var failure = await round.RunAsync();
                            Interlocked.Increment(ref iterations);
                            foreach (var outcome in round.Outcomes)
                            {
                                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                            }
                            if (failure is null && host.Server.UnexpectedErrors > 0)
                            {
                                failure = round.Report($"an unexpected exception in the listener (during this or a parallel round): {host.Server.LastUnexpectedError}");
                            }
                            if (failure is not null)
                            {
                                failures.Enqueue(failure);
                            }
                        }
                    })).ToList();
                    await Task.WhenAll(workers);
                    await stop.CancelAsync();
                    await publishing;
                    output.WriteLine($"{iterations} rounds in {clock.Elapsed.TotalSeconds:F1} s; the clean publisher's confirmed messages: {string.Join(", ", confirmed.Select(c => $"{c.Key} {c.Value.Count}"))}");
                    output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
                    Assert.True(failures.IsEmpty, string.Join("\n", failures));
                    Assert.Null(publisher.Failure);
                }

                Assert.Null(host.Broker.LastFailure);
                Assert.True(host.Server.UnexpectedErrors == 0, $"unexpected exceptions in the listener: {host.Server.LastUnexpectedError}");
                var vhost = host.Broker.GetVirtualHost("fuzz");
                await Eventually.TrueAsync(() => host.Server.LiveConnections == 0, "every connection ended");
                await Eventually.TrueAsync(() => host.Server.OpenSessions("fuzz") == 0, "every channel's session closed");
                await Eventually.TrueAsync(() => vhost.Queues.All(q => q.Consumers == 0), "no consumer is left on any queue");
                await Eventually.TrueAsync(() => vhost.Queues.All(q => !q.Exclusive), "no exclusive queue outlived its connection");
                await Eventually.TrueAsync(() => host.Server.ContentBuffersOutstanding == 0, "every content buffer went back to the pool");

                await NormalClientWorksAsync($"amqp://fuzz:{fuzzPassword}@127.0.0.1:{host.Port}/fuzz");
                await Eventually.TrueAsync(() => host.Server.LiveConnections == 0, "the normal client's connection ended");
                foreach (var queue in KeepQueues)
                {
                    await CheckKeptAsync(vhost, queue, confirmed[queue], key);
                }
            }

            // What was confirmed is on disk: the broker opened again from its folder holds the same.
            await using (var reopened = await Broker.OpenAsync(new BrokerOptions { Directory = directory }))
            {
                foreach (var queue in KeepQueues)
                {
                    await CheckKeptAsync(reopened.GetVirtualHost("fuzz"), queue, confirmed[queue], key);
                }
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// Vhost fuzz; user fuzz configures and reads scratch.* and writes scratch.* and fuzz.durable; user clean writes
    /// fuzz.durable only. The oracle's durable queues keep.a and keep.b are bound to fuzz.durable with keep-a and keep-b.
    /// </summary>
    private static async Task<(string Fuzz, string Clean)> SetUpAsync(AmqpBrokerHost host)
    {
        var fuzz = await host.AddServiceAsync("fuzz");
        var clean = host.Users.AddService("clean", []);
        host.Users.Permissions.GiveService("fuzz", [new VhostPermission("fuzz", "fuzz",
            PermissionPattern.Parse(@"^scratch\."), PermissionPattern.Parse(@"^(scratch\..*|fuzz\.durable)$"), PermissionPattern.Parse(@"^scratch\."))]);
        host.Users.Permissions.GiveService("clean", [new VhostPermission("clean", "fuzz",
            PermissionPattern.None, PermissionPattern.Parse(@"^fuzz\.durable$"), PermissionPattern.None)]);
        var vhost = host.Broker.GetVirtualHost("fuzz");
        await vhost.DeclareExchangeAsync(new ExchangeDeclaration("fuzz.durable", ExchangeKind.Direct, Durable: true));
        foreach (var queue in KeepQueues)
        {
            await vhost.DeclareQueueAsync(new QueueDeclaration(queue, Durable: true));
            await vhost.BindQueueAsync(queue, "fuzz.durable", RoutingKeyOf(queue));
        }
        return (fuzz, clean);
    }

    private static string RoutingKeyOf(string queue) => queue.Replace('.', '-');

    private static byte[] Body(string id, byte[] key) => [.. Encoding.UTF8.GetBytes(id), .. HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(id))];

    /// <summary>The queue holds exactly these messages, in this order, with their bodies intact, and nothing unacknowledged.</summary>
    private static async Task CheckKeptAsync(VirtualHost vhost, string queue, List<string> ids, byte[] key)
    {
        var info = vhost.GetQueue(queue);
        Assert.Equal((ids.Count, 0L), (info.Ready, info.Unacked));
        var messages = await vhost.PeekAsync(queue, ids.Count + 1);
        Assert.Equal(ids, messages.Select(m => m.Properties.MessageId));
        foreach (var message in messages)
        {
            Assert.True(message.Body.Span.SequenceEqual(Body(message.Properties.MessageId!, key)), $"the body of {message.Properties.MessageId} in {queue} changed");
        }
    }

    /// <summary>After the fuzzing, an ordinary client declares, publishes with a confirm, consumes and acks.</summary>
    private static async Task NormalClientWorksAsync(string url)
    {
        await using var connection = await RabbitClients.ConnectAsync(url);
        await using var channel = await connection.ConfirmingChannelAsync();
        await channel.ExchangeDeclareAsync("scratch.final.x", ExchangeType.Direct);
        await channel.QueueDeclareAsync("scratch.final", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("scratch.final", "scratch.final.x", "final");
        await channel.BasicPublishAsync("scratch.final.x", "final", true, new BasicProperties { Persistent = true }, "after the storm"u8.ToArray());
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(delivery.Body.Span));
            await channel.BasicAckAsync(delivery.DeliveryTag, false);
        };
        await channel.BasicConsumeAsync("scratch.final", autoAck: false, consumer);
        Assert.Equal("after the storm", await received.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await channel.CloseAsync();
        await connection.CloseAsync();
    }

    /// <summary>A well-behaved RabbitMQ.Client publisher with confirms, alternating between the keep queues; records what was confirmed, in order.</summary>
    private sealed class CleanPublisher : IAsyncDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;
        private readonly byte[] _key;
        private readonly Dictionary<string, List<string>> _confirmed;
        private int _next;

        private CleanPublisher(IConnection connection, IChannel channel, byte[] key, Dictionary<string, List<string>> confirmed)
        {
            _connection = connection;
            _channel = channel;
            _key = key;
            _confirmed = confirmed;
        }

        /// <summary>The first error the publisher met, or null: it must never meet one.</summary>
        public Exception? Failure { get; private set; }

        public static async Task<CleanPublisher> StartAsync(string url, byte[] key, Dictionary<string, List<string>> confirmed)
        {
            var connection = await RabbitClients.ConnectAsync(url);
            return new CleanPublisher(connection, await connection.ConfirmingChannelAsync(), key, confirmed);
        }

        public async Task PublishAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var queue = KeepQueues[_next % KeepQueues.Length];
                var id = $"{queue}-{_next++:D6}";
                await _channel.BasicPublishAsync("fuzz.durable", RoutingKeyOf(queue), true, new BasicProperties { Persistent = true, MessageId = id }, Body(id, _key));
                _confirmed[queue].Add(id);
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await PublishAsync(2);
                    await Task.Delay(5, CancellationToken.None);
                }
            }
            catch (Exception error)
            {
                Failure = error;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

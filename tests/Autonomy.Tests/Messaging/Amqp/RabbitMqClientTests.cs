using System.Collections.Concurrent;
using System.Text;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Storage;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// RabbitMQ's own .NET client, unchanged, against the embedded broker's AMQP listener. Run apart from the rest: ten
/// thousand messages in flight would disturb the tests that measure the process's heap.
/// </summary>
[Collection(nameof(RabbitMqClientTests))]
public sealed class RabbitMqClientTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync();

    public async Task DisposeAsync()
    {
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0, "every connection ended");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
        Assert.Null(_host.Broker.LastFailure);
        await _host.DisposeAsync();
    }

    private static BasicProperties Persistent(string? id = null) => new() { Persistent = true, MessageId = id };

    [Fact]
    public async Task Passive_and_active_declares_and_server_named_queues()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.CreateChannelAsync();
        var declared = await channel.QueueDeclareAsync("orders", durable: true, exclusive: false, autoDelete: false);
        Assert.Equal(("orders", 0u, 0u), (declared.QueueName, declared.MessageCount, declared.ConsumerCount));
        await channel.BasicPublishAsync("", "orders", false, Persistent(), "x"u8.ToArray());
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("orders").Ready == 1, "the message is in");
        Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync("orders")).MessageCount);
        await channel.ExchangeDeclareAsync("events", ExchangeType.Topic, durable: true);
        await channel.ExchangeDeclarePassiveAsync("events");
        var named = await channel.QueueDeclareAsync();
        Assert.StartsWith("amq.gen-", named.QueueName);
        var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.QueueDeclarePassiveAsync("missing"));
        Assert.Equal(404, missing.ShutdownReason!.ReplyCode);
        Assert.Equal("NOT_FOUND - no queue 'missing' in vhost 'svc'", missing.ShutdownReason.ReplyText);
        Assert.True(channel.IsClosed);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Confirmed_publishes_are_consumed_with_prefetch_never_exceeded_and_manual_acks()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var publisher = await connection.ConfirmingChannelAsync();
        await publisher.QueueDeclareAsync("work", durable: true, exclusive: false, autoDelete: false);
        for (var i = 0; i < 200; i++)
        {
            await publisher.BasicPublishAsync("", "work", true, Persistent($"m{i}"), Encoding.UTF8.GetBytes($"m{i}"));
        }
        Assert.Equal(200, _host.Vhost.GetQueue("work").Ready);
        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.BasicQosAsync(0, 10, false);
        var received = new List<string>();
        var unacked = 0;
        var maxUnacked = 0;
        var done = new TaskCompletionSource();
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        var pendingTags = new Queue<ulong>();
        consumer.ReceivedAsync += async (_, ea) =>
        {
            received.Add(Encoding.UTF8.GetString(ea.Body.Span));
            maxUnacked = Math.Max(maxUnacked, ++unacked);
            pendingTags.Enqueue(ea.DeliveryTag);
            // Acks lag behind by a few, so that the window is really used.
            if (pendingTags.Count >= 5 || received.Count == 200)
            {
                while (pendingTags.TryDequeue(out var tag))
                {
                    unacked--;
                    await consumerChannel.BasicAckAsync(tag, false);
                }
            }
            if (received.Count == 200)
            {
                done.TrySetResult();
            }
        };
        await consumerChannel.BasicConsumeAsync("work", autoAck: false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}"), received);
        Assert.InRange(maxUnacked, 1, 10);
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("work").Messages == 0, "every message is acknowledged");
    }

    [Fact]
    public async Task A_confirmed_message_survives_a_power_loss_right_after_its_ack()
    {
        var disk = new CrashingLogFileSystem();
        await using var host = await AmqpBrokerHost.StartAsync(broker: o => o with { Files = disk });
        await using (var connection = await RabbitClients.ConnectAsync(host.Url))
        {
            await using var channel = await connection.ConfirmingChannelAsync();
            await channel.QueueDeclareAsync("kept", durable: true, exclusive: false, autoDelete: false);
            for (var i = 0; i < 50; i++)
            {
                await channel.BasicPublishAsync("", "kept", true, Persistent($"m{i}"), Encoding.UTF8.GetBytes($"m{i}"));
            }
            // The machine loses power the moment the last ack is in: nothing more reaches the disk.
            disk.FailAfter(0);
        }
        try
        {
            await host.Broker.DisposeAsync();
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        disk.Crash(new Random(7));
        await using var reopened = await Broker.OpenAsync(new BrokerOptions { Directory = host.Directory, Files = disk, SegmentBytes = 4 << 20 });
        await using var session = reopened.GetVirtualHost("svc").OpenSession();
        var bodies = new List<string>();
        while (await session.GetAsync("kept", noAck: true) is { } delivery)
        {
            bodies.Add(Encoding.UTF8.GetString(delivery.Body.Span));
        }
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), bodies);
    }

    [Fact]
    public async Task A_nack_without_requeue_dead_letters_with_x_death()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.ConfirmingChannelAsync();
        await channel.ExchangeDeclareAsync("dlx", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync("dead", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("dead", "dlx", "");
        await channel.QueueDeclareAsync("orders", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = "dlx" });
        await channel.BasicPublishAsync("", "orders", true, Persistent("o1"), "order 1"u8.ToArray());
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, ea) => await channel.BasicNackAsync(ea.DeliveryTag, multiple: false, requeue: false);
        await channel.BasicConsumeAsync("orders", autoAck: false, consumer);
        BasicGetResult? dead = null;
        await Eventually.TrueAsync(() => (dead ??= channel.BasicGetAsync("dead", autoAck: true).GetAwaiter().GetResult()) is not null, "the message is dead-lettered");
        Assert.Equal("order 1", Encoding.UTF8.GetString(dead!.Body.Span));
        var deaths = Assert.IsType<List<object>>(dead.BasicProperties.Headers!["x-death"], exactMatch: false);
        var death = Assert.IsType<Dictionary<string, object?>>(Assert.Single(deaths), exactMatch: false);
        Assert.Equal("rejected", Encoding.UTF8.GetString((byte[])death["reason"]!));
        Assert.Equal("orders", Encoding.UTF8.GetString((byte[])death["queue"]!));
    }

    [Fact]
    public async Task Topic_routing_with_star_and_hash()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.ConfirmingChannelAsync();
        await channel.ExchangeDeclareAsync("events", ExchangeType.Topic, durable: true);
        await channel.QueueDeclareAsync("one-word", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync("any-depth", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("one-word", "events", "order.*");
        await channel.QueueBindAsync("any-depth", "events", "order.#");
        foreach (var key in new[] { "order.created", "order.created.eu", "invoice.paid" })
        {
            await channel.BasicPublishAsync("events", key, false, Persistent(), Encoding.UTF8.GetBytes(key));
        }
        Assert.Equal(1, _host.Vhost.GetQueue("one-word").Ready);
        Assert.Equal(2, _host.Vhost.GetQueue("any-depth").Ready);
        var first = await channel.BasicGetAsync("one-word", autoAck: true);
        Assert.Equal(("order.created", "events", 0u), (Encoding.UTF8.GetString(first!.Body.Span), first.Exchange, first.MessageCount));
    }

    [Fact]
    public async Task A_mandatory_publish_no_queue_takes_is_returned_before_its_confirm_with_its_headers_unchanged()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.ConfirmingChannelAsync();
        var returned = new TaskCompletionSource<BasicReturnEventArgs>();
        channel.BasicReturnAsync += (_, ea) =>
        {
            returned.TrySetResult(ea);
            return Task.CompletedTask;
        };
        var properties = new BasicProperties { MessageId = "lost", Headers = new Dictionary<string, object?> { ["trace"] = "t-1" } };
        var error = await Assert.ThrowsAnyAsync<PublishException>(async () => await channel.BasicPublishAsync("", "nowhere", true, properties, "x"u8.ToArray()));
        Assert.True(error.IsReturn);
        var ea = await returned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((312, "NO_ROUTE", "", "nowhere"), (ea.ReplyCode, ea.ReplyText, ea.Exchange, ea.RoutingKey));
        Assert.Equal("lost", ea.BasicProperties.MessageId);
        Assert.Equal("t-1", Encoding.UTF8.GetString((byte[])ea.BasicProperties.Headers!["trace"]!));
        Assert.True(ea.BasicProperties.Headers.ContainsKey("x-dotnet-pub-seq-no"));
        // Without mandatory the same publish is confirmed and dropped.
        await channel.BasicPublishAsync("", "nowhere", false, properties, "x"u8.ToArray());
    }

    [Fact]
    public async Task Tx_commit_publishes_and_acks_together_and_rollback_discards_both()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("tx", durable: true, exclusive: false, autoDelete: false);
        await channel.TxSelectAsync();
        await channel.BasicPublishAsync("", "tx", false, Persistent(), "a"u8.ToArray());
        await channel.BasicPublishAsync("", "tx", false, Persistent(), "b"u8.ToArray());
        Assert.Equal(0, _host.Vhost.GetQueue("tx").Ready);
        await channel.TxCommitAsync();
        Assert.Equal(2, _host.Vhost.GetQueue("tx").Ready);
        var a = await channel.BasicGetAsync("tx", autoAck: false);
        Assert.Equal(1u, a!.MessageCount);
        await channel.BasicAckAsync(a.DeliveryTag, false);
        await channel.BasicPublishAsync("", "tx", false, Persistent(), "c"u8.ToArray());
        await channel.TxRollbackAsync();
        Assert.Equal((1L, 1L), (_host.Vhost.GetQueue("tx").Ready, _host.Vhost.GetQueue("tx").Unacked));
        await channel.BasicAckAsync(a.DeliveryTag, false);
        await channel.TxCommitAsync();
        Assert.Equal((1L, 0L), (_host.Vhost.GetQueue("tx").Ready, _host.Vhost.GetQueue("tx").Unacked));
        Assert.Null(await channel.BasicGetAsync("empty-" + Guid.NewGuid().ToString("N")[..4], false).ContinueWith(_ => (BasicGetResult?)null));
    }

    [Fact]
    public async Task Get_a_requeueing_nack_and_a_closed_channel_give_messages_back_redelivered()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using (var channel = await connection.ConfirmingChannelAsync())
        {
            await channel.QueueDeclareAsync("again", durable: true, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", "again", false, Persistent(), "m"u8.ToArray());
            var first = await channel.BasicGetAsync("again", autoAck: false);
            Assert.False(first!.Redelivered);
            Assert.Null(await channel.BasicGetAsync("again", autoAck: false));
            await channel.BasicNackAsync(first.DeliveryTag, false, requeue: true);
            var second = await channel.BasicGetAsync("again", autoAck: false);
            Assert.True(second!.Redelivered);
        }
        await using (var channel = await connection.CreateChannelAsync())
        {
            var third = await channel.BasicGetAsync("again", autoAck: true);
            Assert.True(third!.Redelivered);
        }
    }

    [Fact]
    public async Task An_exclusive_queue_is_405_from_another_connection_and_goes_with_its_own()
    {
        await using var owner = await RabbitClients.ConnectAsync(_host.Url);
        await using var ownerChannel = await owner.CreateChannelAsync();
        var queue = (await ownerChannel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: false)).QueueName;
        await using (var other = await RabbitClients.ConnectAsync(_host.Url))
        {
            await using var channel = await other.CreateChannelAsync();
            var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.BasicConsumeAsync(queue, true, new AsyncEventingBasicConsumer(channel)));
            Assert.Equal(405, error.ShutdownReason!.ReplyCode);
        }
        await owner.CloseAsync();
        await Eventually.TrueAsync(() => !_host.Vhost.TryGetQueue(queue, out _), "the exclusive queue went with its connection");
    }

    [Fact]
    public async Task A_consumer_is_told_when_its_queue_is_deleted()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("doomed", durable: true, exclusive: false, autoDelete: false);
        var consumer = new CancelNotedConsumer(channel);
        var tag = await channel.BasicConsumeAsync("doomed", false, consumer);
        await _host.Vhost.DeleteQueueAsync("doomed");
        Assert.Equal(tag, await consumer.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(channel.IsOpen);
    }

    [Fact]
    public async Task Ten_thousand_pipelined_publishes_on_one_channel_are_consumed_in_order()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("ordered", durable: true, exclusive: false, autoDelete: false);
        var publishes = new List<Task>(10_000);
        for (var i = 0; i < 10_000; i++)
        {
            // Persistent and transient mixed: durability completes at different times, order must not change.
            publishes.Add(channel.BasicPublishAsync("", "ordered", false, new BasicProperties { Persistent = i % 3 != 0 }, BitConverter.GetBytes(i)).AsTask());
        }
        await Task.WhenAll(publishes);
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("ordered").Ready == 10_000, "every publish is stored", 60_000);
        var next = 0;
        var done = new TaskCompletionSource();
        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.BasicQosAsync(0, 500, false);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, ea) =>
        {
            var value = BitConverter.ToInt32(ea.Body.Span);
            if (value != next)
            {
                done.TrySetException(new Xunit.Sdk.XunitException($"message {value} came where {next} belongs"));
            }
            next++;
            await consumerChannel.BasicAckAsync(ea.DeliveryTag, false);
            if (next == 10_000)
            {
                done.TrySetResult();
            }
        };
        await consumerChannel.BasicConsumeAsync("ordered", false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_publishing_connection_is_blocked_and_unblocked_with_the_brokers_memory_alarm()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url);
        var events = new ConcurrentQueue<string>();
        connection.ConnectionBlockedAsync += (_, ea) =>
        {
            events.Enqueue("blocked: " + ea.Reason);
            return Task.CompletedTask;
        };
        connection.ConnectionUnblockedAsync += (_, _) =>
        {
            events.Enqueue("unblocked");
            return Task.CompletedTask;
        };
        await using var channel = await connection.ConfirmingChannelAsync();
        await channel.QueueDeclareAsync("held", durable: true, exclusive: false, autoDelete: false);
        var alarm = _host.Broker.Options.MemoryHighWatermarkBytes + 1;
        _host.Broker.Flow.AddPending(alarm);
        var publish = channel.BasicPublishAsync("", "held", false, Persistent(), "x"u8.ToArray()).AsTask();
        await Eventually.TrueAsync(() => events.Contains("blocked: low on memory"), "the publisher is told it is blocked");
        Assert.False(publish.IsCompleted);
        Assert.Equal(0, _host.Vhost.GetQueue("held").Ready);
        _host.Broker.Flow.RemovePending(alarm);
        await publish.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => events.Contains("unblocked"), "the publisher is told it may go on");
        Assert.Equal(["blocked: low on memory", "unblocked"], events);
        Assert.Equal(1, _host.Vhost.GetQueue("held").Ready);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure()
    {
        var url = $"amqp://svc:wrong@127.0.0.1:{_host.Port}/svc";
        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(() => RabbitClients.ConnectAsync(url));
        var refused = Assert.IsType<AuthenticationFailureException>(error.InnerException);
        Assert.Contains("ACCESS_REFUSED", refused.Message);
    }

    [Fact]
    public async Task Another_services_vhost_is_refused_with_530()
    {
        await _host.AddServiceAsync("billing");
        var url = $"amqp://svc:{_host.Password}@127.0.0.1:{_host.Port}/billing";
        // RabbitMQ.Client 7.2 hands back the connection before it reads the refusal of connection.open, then
        // closes it with the server's reason; every use afterwards names it.
        await using var connection = await RabbitClients.ConnectAsync(url);
        await Eventually.TrueAsync(() => !connection.IsOpen, "the refused connection is closed");
        Assert.Equal((530, "NOT_ALLOWED - access to vhost 'billing' refused for user 'svc'", 10, 40),
            (connection.CloseReason!.ReplyCode, connection.CloseReason.ReplyText, connection.CloseReason.ClassId, connection.CloseReason.MethodId));
        var error = await Assert.ThrowsAsync<AlreadyClosedException>(() => connection.CreateChannelAsync());
        Assert.Equal(530, error.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task An_idle_client_with_a_one_second_heartbeat_stays_connected_on_the_servers_heartbeats()
    {
        await using var connection = await RabbitClients.ConnectAsync(_host.Url, TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.True(connection.IsOpen);
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("alive", durable: false, exclusive: false, autoDelete: false);
    }

    [CollectionDefinition(nameof(RabbitMqClientTests), DisableParallelization = true)]
    public sealed class Alone;

    private sealed class CancelNotedConsumer(IChannel channel) : AsyncDefaultBasicConsumer(channel)
    {
        public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
        {
            Cancelled.TrySetResult(consumerTag);
            return base.HandleBasicCancelAsync(consumerTag, cancellationToken);
        }
    }
}

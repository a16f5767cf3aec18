using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class DeclarationTests
{
    [Fact]
    public async Task Classic_and_quorum_queue_types_are_accepted_kept_and_compared_on_redeclare()
    {
        await using var broker = await TestBroker.StartAsync();
        var quorum = new FieldTable { ["x-queue-type"] = "quorum" };
        await broker.QueueAsync("orders", quorum);
        await broker.QueueAsync("plain");

        Assert.Equal("quorum", (await broker.QueueAsync("orders", quorum)).Arguments["x-queue-type"]);
        await broker.QueueAsync("plain", new FieldTable { ["x-queue-type"] = "classic" });
        var error = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("orders", new FieldTable { ["x-queue-type"] = "classic" }));
        Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
        Assert.Equal("PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'orders' in vhost 'test': received 'classic' but current is 'quorum'",
            error.Message);
        Assert.Contains("'x-queue-type'", (await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("plain", quorum))).Message);
        Assert.Contains("'x-queue-type'", (await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("orders"))).Message);

        await broker.RestartAsync();
        Assert.Equal("quorum", broker.Vhost.GetQueue("orders").Arguments["x-queue-type"]);
    }

    [Fact]
    public async Task A_quorum_queue_that_is_transient_exclusive_or_auto_delete_is_refused_with_RabbitMQs_words()
    {
        await using var broker = await TestBroker.StartAsync();
        var quorum = new FieldTable { ["x-queue-type"] = "quorum" };

        async Task<string> Refusal(QueueDeclaration declaration)
        {
            var error = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeclareQueueAsync(declaration));
            Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
            return error.Message;
        }

        Assert.Equal("PRECONDITION_FAILED - invalid property 'non-durable' for queue 'q' in vhost 'test'",
            await Refusal(new QueueDeclaration("q", Durable: false, Arguments: quorum)));
        Assert.Equal("PRECONDITION_FAILED - invalid property 'exclusive' for queue 'q' in vhost 'test'",
            await Refusal(new QueueDeclaration("q", Exclusive: true, Arguments: quorum, Owner: new object())));
        Assert.Equal("PRECONDITION_FAILED - invalid property 'auto-delete' for queue 'q' in vhost 'test'",
            await Refusal(new QueueDeclaration("q", AutoDelete: true, Arguments: quorum)));
        Assert.StartsWith("PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue 'q' in vhost 'test': expected classic or quorum, received the value 'stream'",
            await Refusal(new QueueDeclaration("q", Arguments: new FieldTable { ["x-queue-type"] = "stream" })));
        Assert.StartsWith("PRECONDITION_FAILED - invalid arg 'x-queue-type' for queue 'q' in vhost 'test': expected classic or quorum",
            await Refusal(new QueueDeclaration("q", Arguments: new FieldTable { ["x-queue-type"] = 1 })));
        Assert.Empty(broker.Vhost.Queues);
    }

    [Fact]
    public async Task TryGetExchange_finds_declared_and_built_in_exchanges_and_never_throws()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("events", ExchangeKind.Topic, Internal: true));

        Assert.True(broker.Vhost.TryGetExchange("events", out var events));
        Assert.Equal(ExchangeKind.Topic, events.Kind);
        Assert.True(events.Internal);
        Assert.True(broker.Vhost.TryGetExchange("", out var nameless));
        Assert.Equal(ExchangeKind.Direct, nameless.Kind);
        Assert.False(broker.Vhost.TryGetExchange("missing", out _));
        Assert.False(broker.Vhost.TryGetExchange(null!, out _));
    }

    [Fact]
    public async Task Names_starting_amq_are_reserved_and_the_standard_exchanges_cannot_be_deleted()
    {
        await using var broker = await TestBroker.StartAsync();

        var exchange = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("amq.mine", ExchangeKind.Direct)));
        Assert.Equal(ReplyCode.AccessRefused, exchange.Code);
        Assert.Equal("ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*' in vhost 'test'", exchange.Message);

        var queue = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("amq.q"));
        Assert.Equal(ReplyCode.AccessRefused, queue.Code);

        Assert.Equal(ReplyCode.AccessRefused, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteExchangeAsync("amq.topic"))).Code);
        Assert.Equal(ReplyCode.AccessRefused, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteExchangeAsync(""))).Code);
        // A passive declare of a standard exchange is fine.
        Assert.Equal(ExchangeKind.Topic, (await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("amq.topic", ExchangeKind.Topic, Passive: true))).Kind);
    }

    [Fact]
    public async Task Passive_declares_find_what_exists_and_answer_not_found_otherwise()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "one");

        var info = await broker.Vhost.DeclareQueueAsync(new QueueDeclaration("q", Durable: false, Passive: true));
        Assert.Equal(1, info.Ready);

        var queue = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeclareQueueAsync(new QueueDeclaration("missing", Passive: true)));
        Assert.Equal(ReplyCode.NotFound, queue.Code);
        Assert.Equal("NOT_FOUND - no queue 'missing' in vhost 'test'", queue.Message);

        var exchange = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("missing", ExchangeKind.Fanout, Passive: true)));
        Assert.Equal(ReplyCode.NotFound, exchange.Code);
    }

    [Fact]
    public async Task Redeclaring_with_other_properties_is_precondition_failed_naming_the_property()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("x", ExchangeKind.Direct));
        await broker.QueueAsync("q", new FieldTable { ["x-max-length"] = 10 });

        var type = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("x", ExchangeKind.Fanout)));
        Assert.Equal(ReplyCode.PreconditionFailed, type.Code);
        Assert.Equal("PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost 'test': received 'fanout' but current is 'direct'", type.Message);

        var durable = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("q", new FieldTable { ["x-max-length"] = 10 }, durable: false));
        Assert.Equal("PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'q' in vhost 'test': received 'false' but current is 'true'", durable.Message);

        var argument = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("q", new FieldTable { ["x-max-length"] = 20 }));
        Assert.Contains("inequivalent arg 'x-max-length'", argument.Message);

        var missing = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("q"));
        Assert.Contains("inequivalent arg 'x-max-length' for queue 'q' in vhost 'test': received none but current is the value '10'", missing.Message);

        // The same value as another integer type is the same declaration; unknown arguments are kept and not compared.
        await broker.QueueAsync("q", new FieldTable { ["x-max-length"] = 10L, ["x-custom"] = "anything" });
        Assert.Equal(10, broker.Vhost.GetQueue("q").Arguments["x-max-length"]);
    }

    [Theory]
    [InlineData("x-message-ttl", "soon", "a non-negative integer")]
    [InlineData("x-message-ttl", -1, "a non-negative integer")]
    [InlineData("x-expires", 0, "a positive integer")]
    [InlineData("x-max-length", "ten", "a non-negative integer")]
    [InlineData("x-max-length-bytes", 1.5, "a non-negative integer")]
    [InlineData("x-overflow", "drop-tail", "drop-head, reject-publish or reject-publish-dlx")]
    [InlineData("x-dead-letter-exchange", 5, "a string")]
    [InlineData("x-max-priority", 0, "an integer from 1 to 255")]
    [InlineData("x-max-priority", 256, "an integer from 1 to 255")]
    [InlineData("x-delivery-limit", -3, "a non-negative integer")]
    [InlineData("x-retry-backoff", "1s", "a positive integer")]
    [InlineData("x-retry-backoff-multiplier", 0.5, "a number from 1 to 1000")]
    [InlineData("x-deduplication-window", 0, "a positive integer")]
    public async Task Invalid_queue_arguments_are_refused_naming_the_argument_and_the_expected_type(string argument, object value, string expected)
    {
        await using var broker = await TestBroker.StartAsync();
        var error = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("q", new FieldTable { [argument] = value }));

        Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
        Assert.Contains($"invalid arg '{argument}' for queue 'q' in vhost 'test'", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.False(broker.Vhost.TryGetQueue("q", out _));
    }

    [Fact]
    public async Task A_dead_letter_routing_key_needs_a_dead_letter_exchange()
    {
        await using var broker = await TestBroker.StartAsync();
        var error = await Assert.ThrowsAsync<BrokerException>(() => broker.QueueAsync("q", new FieldTable { ["x-dead-letter-routing-key"] = "k" }));
        Assert.Contains("x-dead-letter-exchange", error.Message);
    }

    [Fact]
    public async Task An_empty_name_gets_a_server_named_queue()
    {
        await using var broker = await TestBroker.StartAsync();
        var first = await broker.Vhost.DeclareQueueAsync(new QueueDeclaration("", Durable: false, Exclusive: true, Owner: new object()));
        var second = await broker.Vhost.DeclareQueueAsync(new QueueDeclaration("", Durable: false));

        Assert.Matches("^amq\\.gen-[A-Za-z0-9_-]{22}$", first.Name);
        Assert.NotEqual(first.Name, second.Name);
        Assert.Equal(PublishOutcome.Routed, await broker.PublishAsync(second.Name, "hi"));
    }

    [Fact]
    public async Task An_exclusive_queue_belongs_to_its_connection_and_goes_when_it_closes()
    {
        await using var broker = await TestBroker.StartAsync();
        var mine = new object();
        var theirs = new object();
        await broker.Vhost.DeclareQueueAsync(new QueueDeclaration("private", Durable: false, Exclusive: true, Owner: mine));

        var declare = await Assert.ThrowsAsync<BrokerException>(() =>
            broker.Vhost.DeclareQueueAsync(new QueueDeclaration("private", Durable: false, Exclusive: true, Owner: theirs)));
        Assert.Equal(ReplyCode.ResourceLocked, declare.Code);
        await using (var session = broker.Vhost.OpenSession(theirs))
        {
            Assert.Equal(ReplyCode.ResourceLocked, (await Assert.ThrowsAsync<BrokerException>(async () => await session.GetAsync("private", false))).Code);
            Assert.Equal(ReplyCode.ResourceLocked, (await Assert.ThrowsAsync<BrokerException>(() =>
                session.ConsumeAsync("private", "", false, false, null, new CollectingSink()))).Code);
        }
        Assert.Equal(ReplyCode.ResourceLocked, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.PurgeQueueAsync("private", theirs))).Code);
        Assert.Equal(ReplyCode.ResourceLocked, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteQueueAsync("private", owner: theirs))).Code);
        Assert.Equal(ReplyCode.ResourceLocked, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.BindQueueAsync("private", "amq.fanout", "", owner: theirs))).Code);

        // Its owner uses it freely, and anyone may publish to it.
        await using (var session = broker.Vhost.OpenSession(mine))
        {
            await broker.PublishAsync("private", "for me");
            Assert.Equal("for me", TestBroker.Text((await session.GetAsync("private", true))!));
        }

        broker.Broker.CloseOwner(mine);
        Assert.False(broker.Vhost.TryGetQueue("private", out _));
    }

    [Fact]
    public async Task An_auto_delete_queue_goes_when_its_last_consumer_does_not_before_it_had_one()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareQueueAsync(new QueueDeclaration("temp", Durable: false, AutoDelete: true));
        await using var session = broker.Vhost.OpenSession();
        var first = await session.ConsumeAsync("temp", "a", false, false, null, new CollectingSink());
        var second = await session.ConsumeAsync("temp", "b", false, false, null, new CollectingSink());

        await session.CancelAsync(first);
        Assert.True(broker.Vhost.TryGetQueue("temp", out _));
        await session.CancelAsync(second);
        Assert.False(broker.Vhost.TryGetQueue("temp", out _));
    }

    [Fact]
    public async Task An_auto_delete_exchange_goes_when_its_last_binding_does()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("events", ExchangeKind.Fanout, AutoDelete: true));
        await broker.QueueAsync("a");
        await broker.QueueAsync("b");
        await broker.Vhost.BindQueueAsync("a", "events", "");
        await broker.Vhost.BindQueueAsync("b", "events", "");

        await broker.Vhost.UnbindQueueAsync("a", "events", "");
        Assert.Contains(broker.Vhost.Exchanges, e => e.Name == "events");
        await broker.Vhost.DeleteQueueAsync("b");
        Assert.DoesNotContain(broker.Vhost.Exchanges, e => e.Name == "events");
    }

    [Fact]
    public async Task Delete_if_unused_and_if_empty_refuse_and_purge_keeps_messages_out_with_consumers()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        for (var i = 0; i < 3; i++)
        {
            await broker.PublishAsync("q", $"m{i}");
        }
        await using var session = broker.Vhost.OpenSession();
        var taken = await session.GetAsync("q", noAck: false);

        var notEmpty = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteQueueAsync("q", ifEmpty: true));
        Assert.Equal("PRECONDITION_FAILED - queue 'q' in vhost 'test' is not empty", notEmpty.Message);
        Assert.Equal(2, await broker.Vhost.PurgeQueueAsync("q"));
        Assert.Equal((0L, 1L), (broker.Vhost.GetQueue("q").Ready, broker.Vhost.GetQueue("q").Unacked));

        var tag = await session.ConsumeAsync("q", "c", false, false, null, new CollectingSink());
        var inUse = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteQueueAsync("q", ifUnused: true));
        Assert.Equal("PRECONDITION_FAILED - queue 'q' in vhost 'test' in use", inUse.Message);

        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("x", ExchangeKind.Direct));
        await broker.Vhost.BindQueueAsync("q", "x", "k");
        Assert.Equal(ReplyCode.PreconditionFailed, (await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.DeleteExchangeAsync("x", ifUnused: true))).Code);

        session.Ack(taken!.DeliveryTag, false);
        await session.CancelAsync(tag);
        Assert.Equal(0, await broker.Vhost.DeleteQueueAsync("q", ifUnused: true, ifEmpty: true));
        Assert.False(broker.Vhost.TryGetQueue("q", out _));
        // Deleting what is not there is no error, as in RabbitMQ.
        Assert.Equal(0, await broker.Vhost.DeleteQueueAsync("q"));
        await broker.Vhost.DeleteExchangeAsync("x", ifUnused: true);
        await broker.Vhost.DeleteExchangeAsync("x");
    }

    [Fact]
    public async Task Deleting_a_queue_cancels_its_consumers_and_counts_its_messages()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.QueueAsync("q");
        await broker.PublishAsync("q", "a");
        await broker.PublishAsync("q", "b");
        await using var session = broker.Vhost.OpenSession();
        var sink = new CollectingSink();
        session.SetPrefetch(1, global: false);
        await session.ConsumeAsync("q", "c1", false, false, null, sink);
        await sink.NextAsync();

        Assert.Equal(2, await broker.Vhost.DeleteQueueAsync("q"));
        Assert.Equal(["c1"], sink.Cancelled);
        // The delivery still out is settled quietly: its queue is gone.
        session.Ack(1, false);
    }

    [Fact]
    public async Task Durable_definitions_survive_a_restart_and_transient_ones_do_not()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("events", ExchangeKind.Topic, Arguments: new FieldTable { ["alternate-exchange"] = "amq.fanout" }));
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("scratch", ExchangeKind.Fanout, Durable: false));
        await broker.QueueAsync("orders", new FieldTable { ["x-max-length"] = 100, ["x-retry-backoff-multiplier"] = 2.0, ["x-custom"] = new byte[] { 1, 2 } });
        await broker.QueueAsync("temp", durable: false);
        await broker.Vhost.BindQueueAsync("orders", "events", "orders.*", new FieldTable { ["note"] = "kept" });
        await broker.Vhost.BindQueueAsync("orders", "scratch", "");
        await broker.Vhost.BindExchangeAsync("events", "amq.topic", "#");

        await broker.RestartAsync();

        Assert.Equal(["test"], broker.Broker.VirtualHostNames);
        var events = broker.Vhost.GetExchange("events");
        Assert.Equal((ExchangeKind.Topic, "amq.fanout"), (events.Kind, events.Arguments["alternate-exchange"]));
        Assert.DoesNotContain(broker.Vhost.Exchanges, e => e.Name == "scratch");
        Assert.False(broker.Vhost.TryGetQueue("temp", out _));
        var orders = broker.Vhost.GetQueue("orders");
        Assert.Equal(new byte[] { 1, 2 }, orders.Arguments["x-custom"]);
        Assert.Contains(broker.Vhost.Bindings, b => b is { Source: "events", Destination: "orders", RoutingKey: "orders.*" } && (string)b.Arguments["note"]! == "kept");
        Assert.Contains(broker.Vhost.Bindings, b => b is { Source: "amq.topic", Destination: "events", DestinationIsQueue: false });
        Assert.DoesNotContain(broker.Vhost.Bindings, b => b.Source == "scratch");
        // The same declaration as before the restart is still equivalent.
        await broker.QueueAsync("orders", new FieldTable { ["x-max-length"] = 100, ["x-retry-backoff-multiplier"] = 2.0 });
        await broker.Vhost.PublishAsync("amq.topic", "orders.new", TestBroker.Persistent, TestBroker.Bytes("routed after restart"));
        Assert.Equal(["routed after restart"], await broker.DrainAsync("orders"));
    }

    [Fact]
    public async Task Deleting_a_vhost_removes_everything_in_it()
    {
        await using var broker = await TestBroker.StartAsync();
        var shop = await broker.Broker.DeclareVirtualHostAsync("shop");
        await shop.DeclareQueueAsync(new QueueDeclaration("orders"));
        await shop.PublishAsync("", "orders", TestBroker.Persistent, TestBroker.Bytes("x"));

        await broker.Broker.DeleteVirtualHostAsync("shop");
        Assert.False(broker.Broker.TryGetVirtualHost("shop", out _));
        Assert.Equal(ReplyCode.NotFound, Assert.Throws<BrokerException>(() => broker.Broker.GetVirtualHost("shop")).Code);

        await broker.RestartAsync();
        Assert.Equal(["test"], broker.Broker.VirtualHostNames);
        // A new vhost of the same name starts empty: the old messages do not come back.
        var again = await broker.Broker.DeclareVirtualHostAsync("shop");
        await again.DeclareQueueAsync(new QueueDeclaration("orders"));
        await broker.RestartAsync();
        Assert.Equal(0, broker.Broker.GetVirtualHost("shop").GetQueue("orders").Messages);
    }
}

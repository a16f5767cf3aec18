using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

public class RoutingTests
{
    private static async Task<List<string>> RoutedToAsync(TestBroker broker, string exchange, string routingKey, FieldTable? headers = null)
    {
        var before = broker.Vhost.Queues.ToDictionary(q => q.Name, q => q.Ready);
        await broker.Vhost.PublishAsync(exchange, routingKey, new MessageProperties { Headers = headers }, TestBroker.Bytes("x"));
        return [.. broker.Vhost.Queues.Where(q => q.Ready > before[q.Name]).Select(q => q.Name).Order()];
    }

    private static async Task BindAsync(TestBroker broker, string exchange, ExchangeKind kind, params (string Queue, string Key)[] bindings)
    {
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration(exchange, kind));
        foreach (var (queue, key) in bindings)
        {
            await broker.QueueAsync(queue);
            await broker.Vhost.BindQueueAsync(queue, exchange, key);
        }
    }

    [Fact]
    public async Task Direct_routes_on_the_exact_key_and_the_default_exchange_on_the_queue_name()
    {
        await using var broker = await TestBroker.StartAsync();
        await BindAsync(broker, "d", ExchangeKind.Direct, ("a", "red"), ("b", "red"), ("c", "blue"));

        Assert.Equal(["a", "b"], await RoutedToAsync(broker, "d", "red"));
        Assert.Equal(["c"], await RoutedToAsync(broker, "d", "blue"));
        Assert.Empty(await RoutedToAsync(broker, "d", "Red"));
        Assert.Equal(["c"], await RoutedToAsync(broker, "", "c"));
        Assert.Empty(await RoutedToAsync(broker, "amq.direct", "x"));
    }

    [Fact]
    public async Task Fanout_ignores_the_key_and_a_queue_bound_twice_gets_one_copy()
    {
        await using var broker = await TestBroker.StartAsync();
        await BindAsync(broker, "f", ExchangeKind.Fanout, ("a", ""), ("b", "whatever"));
        await broker.Vhost.BindQueueAsync("a", "f", "second");

        Assert.Equal(["a", "b"], await RoutedToAsync(broker, "f", "anything"));
        Assert.Equal(1, broker.Vhost.GetQueue("a").Ready);
    }

    [Theory]
    [InlineData("a.b.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.b.c", true)]
    [InlineData("a.*.c", "a.c", false)]
    [InlineData("a.*.c", "a.b.b.c", false)]
    [InlineData("a.#", "a", true)]
    [InlineData("a.#", "a.b.c", true)]
    [InlineData("a.#", "ab", false)]
    [InlineData("#.c", "c", true)]
    [InlineData("#.c", "a.b.c", true)]
    [InlineData("#", "", true)]
    [InlineData("#", "anything.at.all", true)]
    [InlineData("*", "", false)]
    [InlineData("*", "one", true)]
    [InlineData("*", "one.two", false)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a.#.c", "a.c", true)]
    [InlineData("a.#.c", "a.x.y.c", true)]
    [InlineData("a.#.c", "a.x.y.d", false)]
    [InlineData("#.#", "", true)]
    [InlineData("#.*", "", false)]
    [InlineData("#.*", "a.b", true)]
    [InlineData("*.#", "a", true)]
    [InlineData("a..c", "a..c", true)]
    [InlineData("a.*.c", "a..c", true)]
    [InlineData("a.#", "a.", true)]
    [InlineData("*.*", "a.", true)]
    [InlineData("*", ".", false)]
    public async Task Topic_binding_keys_match_words_with_star_and_hash(string bindingKey, string routingKey, bool matches)
    {
        await using var broker = await TestBroker.StartAsync();
        await BindAsync(broker, "t", ExchangeKind.Topic, ("q", bindingKey));

        Assert.Equal(matches ? ["q"] : [], await RoutedToAsync(broker, "t", routingKey));
    }

    [Fact]
    public async Task A_topic_key_with_many_hashes_is_matched_without_blowing_up()
    {
        await using var broker = await TestBroker.StartAsync();
        await BindAsync(broker, "t", ExchangeKind.Topic, ("q", string.Join('.', Enumerable.Repeat("#", 30)) + ".end"));
        var key = string.Join('.', Enumerable.Repeat("w", 120));

        Assert.Empty(await RoutedToAsync(broker, "t", key));
        Assert.Equal(["q"], await RoutedToAsync(broker, "t", key + ".end"));
    }

    [Fact]
    public async Task Headers_exchange_matches_all_any_and_the_with_x_variants()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("h", ExchangeKind.Headers));
        foreach (var queue in new[] { "all", "any", "present", "allx", "anyx", "empty-all" })
        {
            await broker.QueueAsync(queue);
        }
        await broker.Vhost.BindQueueAsync("all", "h", "", new FieldTable { ["x-match"] = "all", ["format"] = "pdf", ["type"] = "report" });
        await broker.Vhost.BindQueueAsync("any", "h", "", new FieldTable { ["x-match"] = "any", ["format"] = "pdf", ["type"] = "report" });
        await broker.Vhost.BindQueueAsync("present", "h", "", new FieldTable { ["urgent"] = null });
        await broker.Vhost.BindQueueAsync("allx", "h", "", new FieldTable { ["x-match"] = "all-with-x", ["x-tenant"] = "acme" });
        await broker.Vhost.BindQueueAsync("anyx", "h", "", new FieldTable { ["x-match"] = "any-with-x", ["x-tenant"] = "acme", ["format"] = "zip" });
        await broker.Vhost.BindQueueAsync("empty-all", "h", "", new FieldTable { ["x-match"] = "all", ["x-ignored"] = 1 });

        Assert.Equal(["all", "any", "empty-all"], await RoutedToAsync(broker, "h", "", new FieldTable { ["format"] = "pdf", ["type"] = "report" }));
        Assert.Equal(["any", "empty-all"], await RoutedToAsync(broker, "h", "", new FieldTable { ["format"] = "pdf" }));
        // Integers compare by value whatever their width; void means "present".
        Assert.Equal(["empty-all", "present"], await RoutedToAsync(broker, "h", "", new FieldTable { ["urgent"] = 0L }));
        Assert.Equal(["allx", "anyx", "empty-all"], await RoutedToAsync(broker, "h", "", new FieldTable { ["x-tenant"] = "acme" }));
        Assert.Equal(["empty-all"], await RoutedToAsync(broker, "h", ""));

        var error = await Assert.ThrowsAsync<BrokerException>(() =>
            broker.Vhost.BindQueueAsync("all", "h", "", new FieldTable { ["x-match"] = "some" }));
        Assert.Equal(ReplyCode.PreconditionFailed, error.Code);
    }

    [Fact]
    public async Task Exchange_to_exchange_bindings_route_onwards_each_queue_once_even_through_a_cycle()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("front", ExchangeKind.Topic));
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("back", ExchangeKind.Fanout));
        await broker.QueueAsync("audit");
        await broker.QueueAsync("orders");
        await broker.Vhost.BindExchangeAsync("back", "front", "orders.#");
        await broker.Vhost.BindExchangeAsync("front", "back", "");
        await broker.Vhost.BindQueueAsync("audit", "back", "");
        await broker.Vhost.BindQueueAsync("orders", "front", "orders.created");

        Assert.Equal(["audit", "orders"], await RoutedToAsync(broker, "front", "orders.created"));
        Assert.Empty(await RoutedToAsync(broker, "front", "payments.created"));
        Assert.Contains(broker.Vhost.Bindings, b => b is { Source: "front", Destination: "back", DestinationIsQueue: false, RoutingKey: "orders.#" });

        await broker.Vhost.UnbindExchangeAsync("back", "front", "orders.#");
        Assert.Equal(["orders"], await RoutedToAsync(broker, "front", "orders.created"));
    }

    [Fact]
    public async Task Unroutable_messages_go_to_the_alternate_exchange()
    {
        await using var broker = await TestBroker.StartAsync();
        await BindAsync(broker, "unrouted", ExchangeKind.Fanout, ("leftovers", ""));
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("main", ExchangeKind.Direct,
            Arguments: new FieldTable { ["alternate-exchange"] = "unrouted" }));
        await broker.QueueAsync("known");
        await broker.Vhost.BindQueueAsync("known", "main", "k");

        Assert.Equal(["known"], await RoutedToAsync(broker, "main", "k"));
        Assert.Equal(["leftovers"], await RoutedToAsync(broker, "main", "other"));
    }

    [Fact]
    public async Task Internal_exchanges_and_the_default_exchange_refuse_what_they_must()
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("inside", ExchangeKind.Fanout, Internal: true));
        await broker.QueueAsync("q");

        var publish = await Assert.ThrowsAsync<BrokerException>(async () =>
            await broker.Vhost.PublishAsync("inside", "", MessageProperties.Empty, TestBroker.Bytes("x")));
        Assert.Equal(ReplyCode.AccessRefused, publish.Code);

        var bind = await Assert.ThrowsAsync<BrokerException>(() => broker.Vhost.BindQueueAsync("q", "", "q"));
        Assert.Equal(ReplyCode.AccessRefused, bind.Code);

        var missing = await Assert.ThrowsAsync<BrokerException>(async () =>
            await broker.Vhost.PublishAsync("no-such", "", MessageProperties.Empty, TestBroker.Bytes("x")));
        Assert.Equal(ReplyCode.NotFound, missing.Code);
        Assert.Equal("NOT_FOUND - no exchange 'no-such' in vhost 'test'", missing.Message);
    }

    [Fact]
    public async Task Every_vhost_has_the_standard_exchanges_and_vhosts_do_not_see_each_other()
    {
        await using var broker = await TestBroker.StartAsync();
        var other = await broker.Broker.DeclareVirtualHostAsync("other");
        await broker.QueueAsync("q");

        Assert.Equal(["", "amq.direct", "amq.fanout", "amq.headers", "amq.match", "amq.topic"], other.Exchanges.Select(e => e.Name));
        Assert.Equal(ExchangeKind.Headers, other.Exchanges.Single(e => e.Name == "amq.match").Kind);
        Assert.Equal(PublishOutcome.Unroutable, await other.PublishAsync("", "q", MessageProperties.Empty, TestBroker.Bytes("x")));
        Assert.Equal(0, broker.Vhost.GetQueue("q").Ready);
        Assert.Equal(ReplyCode.NotFound, BrokerErrorCode(() => other.GetQueue("q")));
    }

    private static ReplyCode BrokerErrorCode(Action action) => Assert.Throws<BrokerException>(action).Code;
}

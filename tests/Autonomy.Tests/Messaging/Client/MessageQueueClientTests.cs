using Autonomy.Client.Messaging;
using Autonomy.Tests.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Autonomy.Tests.Messaging.Client;

/// <summary>The .NET client against a running server, built from the URL a replica is given.</summary>
public sealed class MessageQueueClientTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync("""
            name: mqclient
            services:
              orders:
                command: sh -c 'echo "$$MESSAGE_QUEUE_HTTP_URL" > orders.url; exec sleep 300'
              billing:
                command: sleep 300
            """);
        var path = _server.Files.PathOf("orders.url");
        await RunningProject.WaitUntilAsync(() => File.Exists(path) && File.ReadAllText(path).EndsWith('\n'), "orders wrote its URL");
        _url = File.ReadAllText(path).Trim();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PublishesAndConsumesWithAcksNacksAndRedelivery()
    {
        using var client = new MessageQueueClient(new MessageQueueOptions { Url = _url, Wait = TimeSpan.FromSeconds(5), Lease = TimeSpan.FromSeconds(30) });
        Assert.Equal("orders", client.Vhost);
        Assert.DoesNotContain("@", client.BaseAddress.ToString(), StringComparison.Ordinal);
        await client.DeclareExchangeAsync("events", "topic");
        await client.DeclareQueueAsync("emails", arguments: new Dictionary<string, object?> { ["x-max-length"] = 1000 });
        await client.BindQueueAsync("emails", "events", "order.*");

        Assert.Equal(PublishOutcome.Routed, await client.PublishAsync("events", "order.placed", "order 1",
            new MessageProperties { MessageId = "o-1", Headers = new Dictionary<string, object?> { ["attempt"] = 1, ["tags"] = new[] { "a", "b" } } }));
        Assert.Equal(PublishOutcome.Routed, await client.PublishAsync("events", "order.placed", new byte[] { 0, 255 }, new MessageProperties { ContentType = "application/octet-stream" }));
        Assert.Equal(PublishOutcome.Unroutable, await client.PublishAsync("events", "invoice.sent", "nobody listens"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<ReceivedMessage>();
        await foreach (var message in client.ConsumeAsync("emails", stop.Token))
        {
            seen.Add(message);
            if (seen.Count == 2)
            {
                break;
            }
        }
        Assert.Equal("order 1", seen[0].Text);
        Assert.Equal("o-1", seen[0].MessageId);
        Assert.Equal("text/plain; charset=utf-8", seen[0].ContentType);
        Assert.Equal(1, seen[0].Headers["attempt"].GetInt32());
        Assert.Equal(new byte[] { 0, 255 }, seen[1].Body.ToArray());
        Assert.False(seen[0].Redelivered);
        await seen[1].AckAsync();

        // Given back with a delay, the first comes again later, redelivered; acked, it is gone.
        await seen[0].NackAsync(requeue: true, delay: TimeSpan.FromMilliseconds(300));
        var again = Assert.Single(await client.ReceiveAsync("emails", max: 10, wait: TimeSpan.FromSeconds(30)));
        Assert.Equal("order 1", again.Text);
        Assert.True(again.Redelivered);
        Assert.Equal(1, again.DeliveryCount);
        await again.AckAsync();
        Assert.Empty(await client.ReceiveAsync("emails"));
        var late = await Assert.ThrowsAsync<MessageQueueException>(() => again.AckAsync());
        Assert.Equal(409, late.Status);
    }

    [Fact]
    public async Task RefusalsAreExceptionsThatSayWhy()
    {
        using var client = new MessageQueueClient(_url);
        var missing = await Assert.ThrowsAsync<MessageQueueException>(() => client.ReceiveAsync("ghost"));
        Assert.Equal(404, missing.Status);
        Assert.Contains("NOT_FOUND - no queue 'ghost' in vhost 'orders'", missing.Message, StringComparison.Ordinal);

        using var elsewhere = new MessageQueueClient(_url.Replace("/vhosts/orders", "/vhosts/billing", StringComparison.Ordinal));
        var forbidden = await Assert.ThrowsAsync<MessageQueueException>(() => elsewhere.DeclareQueueAsync("theirs"));
        Assert.Equal(403, forbidden.Status);
        Assert.Contains("messaging:configure:billing", forbidden.Message, StringComparison.Ordinal);

        var consumer = client.ConsumeAsync("ghost").GetAsyncEnumerator();
        Assert.Equal(404, (await Assert.ThrowsAsync<MessageQueueException>(async () => await consumer.MoveNextAsync())).Status);
        await consumer.DisposeAsync();
    }

    [Fact]
    public void AddAutonomyMessagingRegistersOneClientAndNamesAMissingUrl()
    {
        using (var provider = new ServiceCollection().AddAutonomyMessaging(o => o.Url = _url).BuildServiceProvider())
        {
            var client = provider.GetRequiredService<MessageQueueClient>();
            Assert.Same(client, provider.GetRequiredService<MessageQueueClient>());
            Assert.Equal("orders", client.Vhost);
        }
        using var without = new ServiceCollection().AddAutonomyMessaging(o => o.Url = null).BuildServiceProvider();
        var error = Assert.Throws<InvalidOperationException>(() => without.GetRequiredService<MessageQueueClient>());
        Assert.Contains("MESSAGE_QUEUE_HTTP_URL is not set", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new MessageQueueClient(new MessageQueueOptions { Url = _url, Lease = TimeSpan.FromHours(13) }));
    }
}

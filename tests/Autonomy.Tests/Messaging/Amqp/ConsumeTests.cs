using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>Consumers, gets and settlements frame by frame, where a client library would hide what the server sent.</summary>
public sealed class ConsumeTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await AmqpBrokerHost.StartAsync(new AmqpOptions { CloseTimeout = TimeSpan.FromSeconds(1) });
        await _host.Vhost.DeclareQueueAsync(new QueueDeclaration("q"));
    }

    public async Task DisposeAsync()
    {
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0, "every connection ended");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
        await _host.DisposeAsync();
    }

    private async Task PublishAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _host.Vhost.PublishAsync("", "q", new MessageProperties { DeliveryMode = 2, MessageId = $"m{i}" }, BitConverter.GetBytes(i));
        }
    }

    private static async Task<List<BasicDeliver>> DeliveriesAsync(RawAmqpClient client, int count)
    {
        var deliveries = new List<BasicDeliver>();
        while (deliveries.Count < count)
        {
            var frame = await client.ReadFrameAsync() ?? throw new InvalidOperationException("closed");
            if (frame.Type == FrameType.Method && frame.Method is BasicDeliver deliver)
            {
                deliveries.Add(deliver);
            }
        }
        return deliveries;
    }

    [Fact]
    public async Task A_no_ack_consumer_gets_everything_and_the_queue_empties_as_deliveries_go_out()
    {
        await PublishAsync(1000);
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(1, new BasicConsume("q", "", false, true, false, false, new()));
        var ok = await client.ExpectAsync<BasicConsumeOk>();
        Assert.StartsWith("amq.ctag-", ok.ConsumerTag);
        var deliveries = await DeliveriesAsync(client, 1000);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), deliveries.Select(d => d.DeliveryTag));
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("q").Messages == 0, "the delivered messages are settled");
        // They were never the client's to acknowledge.
        await client.SendMethodAsync(1, new BasicAck(1000, false));
        Assert.Equal(new ChannelClose(406, "PRECONDITION_FAILED - unknown delivery tag 1000", 60, 80), await client.ExpectAsync<ChannelClose>());
    }

    [Fact]
    public async Task Recover_and_a_requeueing_nack_deliver_again_marked_redelivered()
    {
        await PublishAsync(3);
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(1, new BasicQos(0, 3, false));
        await client.ExpectAsync<BasicQosOk>();
        await client.SendMethodAsync(1, new BasicConsume("q", "c1", false, false, false, false, new()));
        await client.ExpectAsync<BasicConsumeOk>();
        var first = await DeliveriesAsync(client, 3);
        Assert.All(first, d => Assert.False(d.Redelivered));
        await client.SendMethodAsync(1, new BasicRecover(true));
        var again = new List<BasicDeliver>();
        var sawOk = false;
        while (again.Count < 3 || !sawOk)
        {
            var method = await client.ReadMethodAsync();
            sawOk |= method is BasicRecoverOk;
            if (method is BasicDeliver d)
            {
                again.Add(d);
            }
        }
        Assert.All(again, d => Assert.True(d.Redelivered));
        await client.SendMethodAsync(1, new BasicNack(again[^1].DeliveryTag, true, false));
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("q").Messages == 0, "the nack without requeue settled them all");
    }

    [Fact]
    public async Task Get_answers_with_the_count_left_then_get_empty()
    {
        await PublishAsync(2);
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(1, new BasicGet("q", true));
        Assert.Equal(new BasicGetOk(1, false, "", "q", 1), await client.ExpectAsync<BasicGetOk>());
        var header = await client.ReadFrameAsync();
        Assert.Equal(FrameType.Header, header!.Type);
        var body = await client.ReadFrameAsync();
        Assert.Equal(BitConverter.GetBytes(0), body!.Payload);
        await client.SendMethodAsync(1, new BasicGet("q", true));
        await client.ExpectAsync<BasicGetOk>();
        await client.ReadFrameAsync();
        await client.ReadFrameAsync();
        await client.SendMethodAsync(1, new BasicGet("q", true));
        await client.ExpectAsync<BasicGetEmpty>();
    }

    [Fact]
    public async Task A_buffered_ack_of_a_tag_already_settled_in_the_transaction_is_refused_at_once()
    {
        await PublishAsync(1);
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(1, new TxSelect());
        await client.ExpectAsync<TxSelectOk>();
        await client.SendMethodAsync(1, new BasicGet("q", false));
        await client.ExpectAsync<BasicGetOk>();
        await client.ReadFrameAsync();
        await client.ReadFrameAsync();
        await client.SendMethodAsync(1, new BasicAck(1, false));
        await client.SendMethodAsync(1, new BasicAck(1, false));
        Assert.Equal(new ChannelClose(406, "PRECONDITION_FAILED - unknown delivery tag 1", 60, 80), await client.ExpectAsync<ChannelClose>());
        // The channel's end returned the message: the buffered ack never happened.
        await Eventually.TrueAsync(() => _host.Vhost.GetQueue("q").Ready == 1, "the message is back");
    }

    [Fact]
    public async Task Stopping_the_server_closes_connections_with_320()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        var stopping = _host.Server.StopAsync();
        var close = await client.ExpectAsync<ConnectionClose>();
        Assert.Equal((320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"), (close.ReplyCode, close.ReplyText));
        await client.SendMethodAsync(0, new ConnectionCloseOk());
        await stopping;
        Assert.Equal(0, _host.Server.LiveConnections);
    }
}

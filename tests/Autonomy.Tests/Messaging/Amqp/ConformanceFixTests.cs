using Autonomy.Server.Messaging.Amqp;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// Answers the differential conformance test found to differ from RabbitMQ's and that the listener now gives as
/// RabbitMQ does, checked here against the embedded broker alone so that they hold without a RabbitMQ node.
/// </summary>
public sealed class ConformanceFixTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync();

    public async Task DisposeAsync()
    {
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0, "every connection ended");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("amq.direct")]
    [InlineData("amq.no-such-exchange")]
    public async Task Deleting_an_amq_exchange_is_refused_as_a_system_exchange(string exchange)
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(1, new ExchangeDelete(exchange, false, false));
        Assert.Equal(new ChannelClose(403, $"ACCESS_REFUSED - deletion of system exchange '{exchange}' in vhost 'svc' not allowed", 40, 20),
            await client.ExpectAsync<ChannelClose>());
        Assert.True(_host.Vhost.TryGetExchange("amq.direct", out _));
        await client.SendMethodAsync(1, new ChannelCloseOk());
        await client.SendMethodAsync(0, new ConnectionClose(200, "", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
    }
}

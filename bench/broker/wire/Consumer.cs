using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Autonomy.Bench.Broker.Wire;

/// <summary>Consumes one queue on a connection of its own, prefetch 100, acking each delivery on its own.</summary>
internal sealed class Consumer : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;

    private Consumer(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public LatencyHistogram Latency { get; } = new();

    public static async Task<Consumer> StartAsync(ConnectionFactory factory, string queue, PairRun.Measuring measuring, Action delivered)
    {
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.BasicQosAsync(0, 100, global: false);
        var consumer = new Consumer(connection, channel);
        var events = new AsyncEventingBasicConsumer(channel);
        events.ReceivedAsync += async (_, delivery) =>
        {
            if (measuring.On)
            {
                consumer.Latency.RecordSince(BitConverter.ToInt64(delivery.Body.Span));
            }
            delivered();
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, events);
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

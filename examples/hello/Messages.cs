using System.Collections.Concurrent;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

/// <summary>
/// Messages through an AMQP 0-9-1 broker, with nothing but its URL: Autonomy gives the service its own vhost as
/// MESSAGE_QUEUE_URL (on its embedded broker or on RabbitMQ, the same form). One channel publishes, persistent and
/// confirmed, so that <see cref="PublishAsync"/> returns only once the broker holds the message; another consumes
/// the queue and keeps what arrives, acknowledging each message once it is kept.
/// </summary>
internal sealed class Messages : IAsyncDisposable
{
    private const string Queue = "messages";

    private readonly IConnection _connection;
    private readonly IChannel _publisher;
    private readonly IChannel _consumer;
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private readonly ConcurrentQueue<string> _received = new();

    private Messages(IConnection connection, IChannel publisher, IChannel consumer)
    {
        _connection = connection;
        _publisher = publisher;
        _consumer = consumer;
    }

    /// <summary>Connected to the broker at <paramref name="url"/>, the queue declared and consumed.</summary>
    public static async Task<Messages> ConnectAsync(string url, string name)
    {
        var factory = new ConnectionFactory { Uri = new Uri(url), ClientProvidedName = name };
        var connection = await factory.CreateConnectionAsync();
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var consumer = await connection.CreateChannelAsync();
        await publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
        var messages = new Messages(connection, publisher, consumer);
        await consumer.BasicQosAsync(prefetchSize: 0, prefetchCount: 10, global: false);
        var receiver = new AsyncEventingBasicConsumer(consumer);
        receiver.ReceivedAsync += messages.OnReceivedAsync;
        await consumer.BasicConsumeAsync(Queue, autoAck: false, receiver);
        return messages;
    }

    /// <summary>The last hundred messages received, oldest first.</summary>
    public IReadOnlyList<string> Received => [.. _received];

    /// <summary>Publishes one message; throws when the broker did not take it (a nack, or no queue to route it to).</summary>
    public async Task PublishAsync(string text)
    {
        var properties = new BasicProperties { Persistent = true, ContentType = "text/plain" };
        await _publishing.WaitAsync();
        try
        {
            // mandatory: a message no queue takes is an error, not a silent loss.
            await _publisher.BasicPublishAsync("", Queue, mandatory: true, properties, Encoding.UTF8.GetBytes(text));
        }
        finally
        {
            _publishing.Release();
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        // The body is the client's buffer, valid only during this call: it is copied out as text.
        _received.Enqueue(Encoding.UTF8.GetString(delivery.Body.Span));
        while (_received.Count > 100)
        {
            _received.TryDequeue(out _);
        }
        await _consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _consumer.DisposeAsync();
        await _publisher.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

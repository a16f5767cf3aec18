using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A namespace of exchanges, queues and bindings. Errors are <see cref="BrokerException"/>s with the reply code
/// RabbitMQ would close the channel with. <c>owner</c> parameters name the connection acting (null: the
/// platform itself), which matters for exclusive queues.
/// </summary>
public sealed class VirtualHost
{
    private VirtualHost()
    {
    }

    public string Name => throw new NotSupportedException();

    public Task<ExchangeInfo> DeclareExchangeAsync(ExchangeDeclaration d) => throw new NotSupportedException();

    public Task DeleteExchangeAsync(string name, bool ifUnused = false) => throw new NotSupportedException();

    /// <summary>Declares a queue; the answer carries its name (generated when the declaration's is empty) and counts.</summary>
    public Task<QueueInfo> DeclareQueueAsync(QueueDeclaration d) => throw new NotSupportedException();

    /// <summary>Removes the ready messages; returns how many.</summary>
    public Task<long> PurgeQueueAsync(string name, object? owner = null) => throw new NotSupportedException();

    /// <summary>Deletes a queue; returns how many messages it held.</summary>
    public Task<long> DeleteQueueAsync(string name, bool ifUnused = false, bool ifEmpty = false, object? owner = null) =>
        throw new NotSupportedException();

    public Task BindQueueAsync(string queue, string exchange, string routingKey, FieldTable? arguments = null, object? owner = null) =>
        throw new NotSupportedException();

    public Task UnbindQueueAsync(string queue, string exchange, string routingKey, FieldTable? arguments = null, object? owner = null) =>
        throw new NotSupportedException();

    public Task BindExchangeAsync(string destination, string source, string routingKey, FieldTable? arguments = null) =>
        throw new NotSupportedException();

    public Task UnbindExchangeAsync(string destination, string source, string routingKey, FieldTable? arguments = null) =>
        throw new NotSupportedException();

    /// <summary>
    /// Routes a message and stores it in every queue it reaches. Completes when each holds it durably: a
    /// persistent message to a durable queue after the log's fsync, anything else once written. While the broker
    /// is blocked (memory or disk) it waits rather than refusing.
    /// </summary>
    public ValueTask<PublishOutcome> PublishAsync(string exchange, string routingKey, MessageProperties properties,
        ReadOnlyMemory<byte> body, CancellationToken ct = default) => throw new NotSupportedException();

    public IReadOnlyList<ExchangeInfo> Exchanges => throw new NotSupportedException();

    public IReadOnlyList<QueueInfo> Queues => throw new NotSupportedException();

    public IReadOnlyList<BindingInfo> Bindings => throw new NotSupportedException();

    /// <summary>The queue's state; NOT_FOUND when there is none.</summary>
    public QueueInfo GetQueue(string name) => throw new NotSupportedException();

    /// <summary>The next ready messages of a queue, left where they are (for inspecting dead letters).</summary>
    public Task<IReadOnlyList<Delivery>> PeekAsync(string queue, int max) => throw new NotSupportedException();

    /// <summary>
    /// Sends up to <paramref name="max"/> messages of a dead-letter queue back to the exchange and routing keys of
    /// their first death, each settled in the same log record as its republish. Returns how many moved.
    /// </summary>
    public Task<long> MoveDeadLettersAsync(string deadLetterQueue, long max) => throw new NotSupportedException();

    /// <summary>Shows every message that enters the queue to <paramref name="observer"/> (which must not block), taking none.</summary>
    public IDisposable Tap(string queue, Action<Delivery> observer) => throw new NotSupportedException();

    /// <summary>A channel: consumers, gets and acknowledgements, with delivery tags of its own.</summary>
    public Session OpenSession(object? owner = null) => throw new NotSupportedException();
}

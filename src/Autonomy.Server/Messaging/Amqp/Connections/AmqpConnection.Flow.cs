namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpConnection
{
    private readonly CancellationTokenSource _lifetime = new();

    /// <summary>
    /// A publish arrived while the broker holds publishers back (memory or disk): as RabbitMQ does, the connection
    /// says connection.blocked (to a client that understands it), stops reading its socket so that TCP pushes back
    /// on the publisher, and says connection.unblocked once the broker lets publishers go. Heartbeats keep flowing out.
    /// </summary>
    public async ValueTask WaitWhileBlockedAsync()
    {
        var broker = Broker;
        if (!broker.IsBlocked)
        {
            return;
        }
        var notify = Capabilities.ConnectionBlocked;
        if (notify)
        {
            Output.WriteMethod(0, new ConnectionBlocked(broker.Flow.IsDiskBlocked ? "low on disk" : "low on memory"));
        }
        _readingPaused = true;
        try
        {
            await broker.WaitWhileBlockedAsync(_lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            _readingPaused = false;
        }
        if (notify)
        {
            Output.WriteMethod(0, new ConnectionUnblocked());
        }
    }
}

using RabbitMQ.Client;

namespace Autonomy.Bench.Broker.Wire;

/// <summary>
/// Publishes 1 KB persistent messages on a connection of its own, with publisher confirms, keeping at most
/// <c>window</c> in flight: a message stays in flight until it is both confirmed (a single or multiple confirm frees the
/// slots of the publishes it covers) and delivered to the consumer (<see cref="Delivered"/>). Counting deliveries too
/// keeps the queue from growing behind a consumer that is slower than the publisher, so that latencies compare brokers
/// at the same number of messages in their care rather than at whatever backlog each run happened to build.
/// </summary>
internal sealed class Publisher : IAsyncDisposable
{
    private static readonly BasicProperties Persistent = new() { Persistent = true };
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _undelivered;
    private readonly SortedSet<ulong> _unconfirmed = [];
    private long _refused;

    private Publisher(IConnection connection, IChannel channel, string queue, int window)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
        _slots = new SemaphoreSlim(window, window);
        _undelivered = new SemaphoreSlim(window, window);
        channel.BasicAcksAsync += (_, e) => Confirmed(e.DeliveryTag, e.Multiple);
        channel.BasicNacksAsync += (_, e) =>
        {
            // A refused publish makes the run meaningless: noted, its slots freed so that the run ends, and reported then.
            Interlocked.Increment(ref _refused);
            return Confirmed(e.DeliveryTag, e.Multiple);
        };
    }

    public static async Task<Publisher> StartAsync(ConnectionFactory factory, string queue, int window)
    {
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false));
        return new Publisher(connection, channel, queue, window);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var body = new byte[1024];
        try
        {
            while (true)
            {
                await _slots.WaitAsync(stop);
                await _undelivered.WaitAsync(stop);
                var sequence = await _channel.GetNextPublishSequenceNumberAsync(stop);
                lock (_unconfirmed)
                {
                    _unconfirmed.Add(sequence);
                }
                BitConverter.TryWriteBytes(body, System.Diagnostics.Stopwatch.GetTimestamp());
                // The client has framed the body by the time the call returns, so one buffer serves every publish.
                await _channel.BasicPublishAsync("", _queue, mandatory: false, Persistent, body, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>How many publishes the broker refused (basic.nack).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Called by the consumer of this publisher's queue for each message it receives.</summary>
    public void Delivered() => _undelivered.Release();

    private Task Confirmed(ulong tag, bool multiple)
    {
        var freed = 0;
        lock (_unconfirmed)
        {
            if (multiple)
            {
                while (_unconfirmed.Count > 0 && _unconfirmed.Min <= tag)
                {
                    _unconfirmed.Remove(_unconfirmed.Min);
                    freed++;
                }
            }
            else if (_unconfirmed.Remove(tag))
            {
                freed = 1;
            }
        }
        if (freed > 0)
        {
            _slots.Release(freed);
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
        _slots.Dispose();
        _undelivered.Dispose();
    }
}

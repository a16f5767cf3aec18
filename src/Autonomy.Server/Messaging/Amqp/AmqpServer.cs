using System.Collections.Concurrent;
using System.IO.Pipelines;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The embedded broker's AMQP 0-9-1 front: runs each accepted connection against the broker, logging users in
/// through <see cref="BrokerUsers"/>. Keeps the live connections countable and counts the exceptions no protocol
/// rule explains (each one a bug: the connection that met it closed with INTERNAL_ERROR).
/// </summary>
public sealed class AmqpServer
{
    private readonly Func<Broker> _broker;
    private readonly ConcurrentDictionary<AmqpConnection, byte> _connections = new();
    private long _unexpected;
    private Exception? _lastUnexpected;
    private int _stopping;

    public AmqpServer(Func<Broker> broker, BrokerUsers users, AmqpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(users);
        _broker = broker;
        Users = users;
        Options = options ?? new AmqpOptions();
        if (Options.FrameMax < AmqpFrames.MinFrameMax || Options.ChannelMax == 0)
        {
            throw new ArgumentException($"AMQP options: FrameMax must be at least {AmqpFrames.MinFrameMax} and ChannelMax at least 1", nameof(options));
        }
    }

    internal Broker Broker => _broker();

    internal BrokerUsers Users { get; }

    internal AmqpOptions Options { get; }

    /// <summary>Connections accepted and not yet ended.</summary>
    internal int LiveConnections => _connections.Count;

    /// <summary>Exceptions met in connection and channel work that no protocol rule explains; always 0 unless there is a bug.</summary>
    internal long UnexpectedErrors => Interlocked.Read(ref _unexpected);

    internal Exception? LastUnexpectedError => Volatile.Read(ref _lastUnexpected);

    /// <summary>Sessions (AMQP channels and the HTTP API's) open in a vhost.</summary>
    internal int OpenSessions(string vhost) => Broker.TryGetVirtualHost(vhost, out var v) ? v.OpenSessions.Count() : 0;

    /// <summary>Runs one connection over <paramref name="transport"/> until it ends; never throws.</summary>
    public async Task RunConnectionAsync(IDuplexPipe transport, CancellationToken closed = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var connection = new AmqpConnection(this, transport);
        _connections[connection] = 0;
        try
        {
            if (Volatile.Read(ref _stopping) != 0)
            {
                connection.Abort();
            }
            await connection.RunAsync(closed).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            NoteUnexpected(error);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>The server is stopping: every connection is told so (320 CONNECTION_FORCED) and ended.</summary>
    public async Task StopAsync()
    {
        Interlocked.Exchange(ref _stopping, 1);
        foreach (var connection in _connections.Keys)
        {
            connection.Shutdown();
        }
        var deadline = Options.Time.GetUtcNow() + TimeSpan.FromSeconds(5);
        while (!_connections.IsEmpty && Options.Time.GetUtcNow() < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Content buffers rented from the pool and not yet returned; 0 once every connection has ended.</summary>
    internal long ContentBuffersOutstanding => Interlocked.Read(ref _contentBuffers);

    private long _contentBuffers;

    /// <summary>A pooled buffer for a publish's properties and body, counted until it is returned.</summary>
    internal byte[] RentContent(int size)
    {
        Interlocked.Increment(ref _contentBuffers);
        return System.Buffers.ArrayPool<byte>.Shared.Rent(size);
    }

    internal void ReturnContent(byte[] buffer)
    {
        Interlocked.Decrement(ref _contentBuffers);
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
    }

    internal void NoteUnexpected(Exception error)
    {
        Interlocked.Increment(ref _unexpected);
        Interlocked.CompareExchange(ref _lastUnexpected, error, null);
    }
}

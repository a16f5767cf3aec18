namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpConnection
{
    private ITimer? _handshakeTimer;
    private ITimer? _heartbeatTimer;
    private ITimer? _closeTimer;
    private long _writesAtLastTick = -1;
    private int _receivedSinceTick;
    private int _silentTicks;
    private volatile int _busy;

    /// <summary>Set while the connection deliberately stops reading (blocked by the broker): silence then is no failure.</summary>
    private volatile bool _readingPaused;

    private void StartHandshakeTimer() =>
        _handshakeTimer = Options.Time.CreateTimer(static state => ((AmqpConnection)state!).HandshakeExpired(), this, Options.HandshakeTimeout, Timeout.InfiniteTimeSpan);

    private void HandshakeExpired()
    {
        if (_state < ConnectionState.Open)
        {
            Abort();
        }
    }

    private void StopHandshakeTimer() => _handshakeTimer?.Dispose();

    private void NoteReceived() => Volatile.Write(ref _receivedSinceTick, 1);

    /// <summary>
    /// Every half heartbeat: a heartbeat frame goes out if nothing else did since the last tick, and a peer that sent
    /// nothing for four ticks (two heartbeats) is dropped without a close frame, as the spec and RabbitMQ do.
    /// </summary>
    private void StartHeartbeats()
    {
        if (HeartbeatSeconds == 0)
        {
            return;
        }
        var half = TimeSpan.FromMilliseconds(HeartbeatSeconds * 500);
        _heartbeatTimer = Options.Time.CreateTimer(static state => ((AmqpConnection)state!).HeartbeatTick(), this, half, half);
    }

    private void HeartbeatTick()
    {
        if (Output.Writes == Volatile.Read(ref _writesAtLastTick))
        {
            Output.WriteHeartbeat();
        }
        Volatile.Write(ref _writesAtLastTick, Output.Writes);
        if (Interlocked.Exchange(ref _receivedSinceTick, 0) == 1 || _busy > 0 || _readingPaused)
        {
            _silentTicks = 0;
            return;
        }
        if (++_silentTicks >= 4)
        {
            Abort();
        }
    }

    private void StartCloseTimer()
    {
        var timeout = Options.CloseTimeout ?? TimeSpan.FromSeconds(HeartbeatSeconds is > 0 and < 30 ? HeartbeatSeconds : 30);
        _closeTimer = Options.Time.CreateTimer(static state => ((AmqpConnection)state!).Abort(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    private void StopTimers()
    {
        _handshakeTimer?.Dispose();
        _heartbeatTimer?.Dispose();
        _closeTimer?.Dispose();
    }
}

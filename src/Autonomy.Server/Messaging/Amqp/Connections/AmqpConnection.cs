using System.Buffers;
using System.IO.Pipelines;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// One AMQP 0-9-1 connection: a single reader cuts the input into frames and hands each to the connection (channel
/// 0) or its channel, in order. Replies and deliveries go out through <see cref="Output"/>. The connection is also
/// the owner of the exclusive queues it declares.
/// </summary>
internal sealed partial class AmqpConnection
{
    private readonly PipeReader _input;
    private readonly Dictionary<ushort, AmqpChannel> _channels = [];
    private ConnectionState _state = ConnectionState.AwaitingHeader;
    private uint _inboundFrameMax = AmqpFrames.MinFrameMax;
    private int _aborted;
    private int _shutdown;
    private long _publishesInFlight;
    private long _publishBytesInFlight;
    private TaskCompletionSource? _inFlightDrained;
    private readonly Lock _inFlightGate = new();

    public AmqpConnection(AmqpServer server, IDuplexPipe transport)
    {
        Server = server;
        Options = server.Options;
        _input = transport.Input;
        Output = new OutboundWriter(transport.Output);
        Output.Broken += Abort;
        Output.Flushed += OnFlushed;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<AmqpChannel, byte> _flushWatchers = new();

    /// <summary>A channel with a no-ack consumer hears of every flush, to acknowledge what went out.</summary>
    public void WatchFlushes(AmqpChannel channel) => _flushWatchers[channel] = 0;

    private void OnFlushed(long covered)
    {
        if (_flushWatchers.IsEmpty)
        {
            return;
        }
        foreach (var channel in _flushWatchers.Keys)
        {
            try
            {
                channel.OnFlushed(covered);
            }
            catch (Exception error)
            {
                // This runs on the output's flush loop: letting it throw would stop every later write of the
                // connection and leave its client hanging. A bug is counted and the connection dropped instead.
                Server.NoteUnexpected(error);
                Abort();
                return;
            }
        }
    }

    public AmqpServer Server { get; }

    public AmqpOptions Options { get; }

    public OutboundWriter Output { get; }

    /// <summary>The names publishes on this connection repeat; used by the reader only.</summary>
    public NameCache Names { get; } = new();

    public Broker Broker => Server.Broker;

    /// <summary>The logged-in user, once start-ok was accepted.</summary>
    public BrokerUser? User { get; private set; }

    public string UserName => User?.Name ?? "";

    /// <summary>The vhost opened with connection.open.</summary>
    public VirtualHost? VirtualHost { get; private set; }

    /// <summary>The frame-max both sides agreed on; outbound frames never exceed it.</summary>
    public uint FrameMax { get; private set; } = AmqpFrames.MinFrameMax;

    public ushort ChannelMax { get; private set; }

    public ushort HeartbeatSeconds { get; private set; }

    public ClientCapabilities Capabilities { get; private set; }

    /// <summary>Ends the connection at once, without a close frame (a missed heartbeat, a dead socket, a timeout).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            _input.CancelPendingRead();
            _lifetime.Cancel();
        }
    }

    /// <summary>The server is stopping: tells the client (320 CONNECTION_FORCED) and ends the connection.</summary>
    public void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) == 0)
        {
            _input.CancelPendingRead();
        }
    }

    public async Task RunAsync(CancellationToken closed)
    {
        using var closedRegistration = closed.Register(static state => ((AmqpConnection)state!).Abort(), this);
        StartHandshakeTimer();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        finally
        {
            _state = ConnectionState.Closed;
            StopTimers();
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await CleanUpAsync().ConfigureAwait(false);
            await Output.CompleteAsync().ConfigureAwait(false);
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private bool Aborted => Volatile.Read(ref _aborted) != 0;

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (IsTransportFailure(error))
            {
                return;
            }
            if (Aborted)
            {
                return;
            }
            await RunPostedAsync().ConfigureAwait(false);
            if (_state == ConnectionState.Closed)
            {
                return;
            }
            if (Volatile.Read(ref _shutdown) == 1 && _state != ConnectionState.Closing)
            {
                Interlocked.Exchange(ref _shutdown, 2);
                if (_state is ConnectionState.AwaitingHeader or ConnectionState.Desynchronised)
                {
                    return;
                }
                await CloseConnectionAsync(new AmqpException((ReplyCode)320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")).ConfigureAwait(false);
            }
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                consumed = await ProcessAsync(buffer).ConfigureAwait(false);
            }
            catch (Exception error) when (error is AmqpException or BrokerException || IsUnexpected(error))
            {
                // Everything the frames before the error said was handled; the rest of the input is discarded.
                consumed = buffer.End;
                await CloseConnectionAsync(AsHardError(error)).ConfigureAwait(false);
            }
            if (_state == ConnectionState.Closed)
            {
                return;
            }
            if (_state == ConnectionState.Desynchronised)
            {
                consumed = buffer.End;
            }
            _input.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Handles every whole frame in the buffer; returns how far it got.</summary>
    private async ValueTask<SequencePosition> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        if (_state == ConnectionState.Desynchronised)
        {
            return buffer.End;
        }
        if (_state == ConnectionState.AwaitingHeader)
        {
            if (!ProtocolHeader.TryRead(ref buffer, out var accepted))
            {
                return buffer.Start;
            }
            if (!accepted)
            {
                // Another protocol or version: say which one this server speaks, then hang up.
                Output.WriteRaw(ProtocolHeader.Bytes);
                _state = ConnectionState.Closed;
                return buffer.End;
            }
            SendStart();
            _state = ConnectionState.Starting;
        }
        while (_state is not (ConnectionState.Closed or ConnectionState.Desynchronised))
        {
            Frame frame;
            try
            {
                if (!FrameReader.TryReadFrame(ref buffer, _inboundFrameMax, out frame))
                {
                    break;
                }
            }
            catch (AmqpFrameException error)
            {
                throw AmqpException.From(error);
            }
            NoteReceived();
            var handled = HandleFrame(frame);
            if (!handled.IsCompletedSuccessfully)
            {
                // The frame's payload stays valid meanwhile: the input is not advanced until this returns.
                _busy++;
                try
                {
                    await handled.ConfigureAwait(false);
                }
                finally
                {
                    _busy--;
                }
            }
            if (TooManyPublishesInFlight())
            {
                await WaitForPublishRoomAsync().ConfigureAwait(false);
            }
        }
        return buffer.Start;
    }

    private ValueTask HandleFrame(in Frame frame)
    {
        if (frame.Type == FrameType.Heartbeat)
        {
            if (frame.Payload.Length != 0)
            {
                throw AmqpException.Of(ReplyCode.FrameError, $"unknown frame type {(byte)FrameType.Heartbeat} with a payload of {frame.Payload.Length} octets");
            }
            return frame.Channel == 0 ? ValueTask.CompletedTask
                : throw AmqpException.Of(ReplyCode.UnexpectedFrame, $"heartbeat on channel {frame.Channel}");
        }
        if (_state == ConnectionState.Closing)
        {
            return HandleWhileClosing(frame);
        }
        if (frame.Channel == 0)
        {
            if (frame.Type != FrameType.Method)
            {
                throw AmqpException.Of(ReplyCode.UnexpectedFrame, "expected method frame, got non method frame instead");
            }
            if (IsUpdateSecret(frame.Payload))
            {
                // RabbitMQ's extension for rotating an OAuth token; a password login has no secret to rotate.
                throw AmqpException.Of(ReplyCode.NotAllowed, "New secret was refused by one of the backends", 10, 70);
            }
            return HandleConnectionMethod(DecodeMethod(frame.Payload));
        }
        if (_state != ConnectionState.Open)
        {
            throw AmqpException.Of(ReplyCode.UnexpectedFrame, $"frame on channel {frame.Channel} before the connection is open");
        }
        if (_channels.TryGetValue(frame.Channel, out var channel))
        {
            return channel.HandleFrame(frame);
        }
        if (frame.Type != FrameType.Method)
        {
            throw AmqpException.Of(ReplyCode.ChannelError, "expected 'channel.open'");
        }
        var method = DecodeMethod(frame.Payload);
        if (method is not ChannelOpen)
        {
            throw AmqpException.Of(ReplyCode.ChannelError, "expected 'channel.open'", method.ClassId, method.MethodId);
        }
        OpenChannel(frame.Channel);
        return ValueTask.CompletedTask;
    }

    private bool IsUpdateSecret(in ReadOnlySequence<byte> payload)
    {
        if (_state != ConnectionState.Open || payload.Length < 4)
        {
            return false;
        }
        Span<byte> ids = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(ids);
        return MethodCodec.PeekIds(ids) == (10, 70);
    }

    public static IAmqpMethod DecodeMethod(in ReadOnlySequence<byte> payload)
    {
        try
        {
            return MethodCodec.Decode(payload);
        }
        catch (AmqpFrameException error)
        {
            throw AmqpException.From(error);
        }
    }

    private void OpenChannel(ushort number)
    {
        if (number > ChannelMax || _channels.Count >= ChannelMax)
        {
            throw AmqpException.Of(ReplyCode.NotAllowed,
                $"number of channels opened ({_channels.Count}) has reached the negotiated channel_max ({ChannelMax})", ChannelOpen.Class, ChannelOpen.Method);
        }
        var channel = new AmqpChannel(this, number);
        _channels[number] = channel;
        Output.WriteMethod(number, new ChannelOpenOk());
    }

    /// <summary>A channel finished its close handshake: its number may be opened again.</summary>
    public void ForgetChannel(AmqpChannel channel)
    {
        if (_channels.TryGetValue(channel.Number, out var current) && ReferenceEquals(current, channel))
        {
            _channels.Remove(channel.Number);
        }
        _flushWatchers.TryRemove(channel, out _);
    }

    private ValueTask HandleWhileClosing(in Frame frame)
    {
        if (frame.Channel != 0 || frame.Type != FrameType.Method || frame.Payload.Length < 4)
        {
            return ValueTask.CompletedTask;
        }
        Span<byte> ids = stackalloc byte[4];
        frame.Payload.Slice(0, 4).CopyTo(ids);
        var (classId, methodId) = MethodCodec.PeekIds(ids);
        if (classId == ConnectionCloseOk.Class && methodId == ConnectionCloseOk.Method)
        {
            _state = ConnectionState.Closed;
        }
        else if (classId == ConnectionClose.Class && methodId == ConnectionClose.Method)
        {
            // Both sides closed at once: answer, and keep waiting for the answer to ours.
            Output.WriteMethod(0, new ConnectionCloseOk());
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Closes the connection for a hard error: every channel ends (its unacknowledged messages go back), the client is
    /// sent connection.close, and then only close-ok (or a crossing close) is listened for, up to the close timeout.
    /// A framing error leaves no frames to listen to: the input is discarded until the peer hangs up.
    /// </summary>
    private async Task CloseConnectionAsync(AmqpException error)
    {
        if (_state is ConnectionState.Closing or ConnectionState.Closed or ConnectionState.Desynchronised)
        {
            return;
        }
        var desynchronised = error.Code == ReplyCode.FrameError;
        await CloseChannelsAsync().ConfigureAwait(false);
        if (_state == ConnectionState.Starting && User is null && error.Code == ReplyCode.AccessRefused && !Capabilities.AuthenticationFailureClose)
        {
            // A client that cannot read a refusal during login is simply hung up on, as RabbitMQ does.
            _state = ConnectionState.Closed;
            return;
        }
        Output.WriteMethod(0, new ConnectionClose((ushort)error.Code, AmqpReplyText.Fit(error.Message), error.ClassId, error.MethodId));
        _state = desynchronised ? ConnectionState.Desynchronised : ConnectionState.Closing;
        StartCloseTimer();
    }

    private async Task CloseChannelsAsync()
    {
        foreach (var channel in _channels.Values.ToList())
        {
            await channel.EndAsync().ConfigureAwait(false);
        }
        _channels.Clear();
        _flushWatchers.Clear();
    }

    private async Task CleanUpAsync()
    {
        try
        {
            await CloseChannelsAsync().ConfigureAwait(false);
            if (VirtualHost is not null)
            {
                Broker.CloseOwner(this);
            }
        }
        catch (Exception error) when (error is ObjectDisposedException)
        {
            // The broker stopped first: nothing is left to clean.
        }
        await WaitForPumpsAsync().ConfigureAwait(false);
    }

    /// <summary>Work another thread needs done on the reader's turn (a channel closing for a publish that failed in the broker).</summary>
    public void Post(Func<ValueTask> work)
    {
        _posted.Enqueue(work);
        _input.CancelPendingRead();
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<Func<ValueTask>> _posted = new();

    private async ValueTask RunPostedAsync()
    {
        while (_state is ConnectionState.Open && _posted.TryDequeue(out var work))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception error) when (error is AmqpException or BrokerException || IsUnexpected(error))
            {
                await CloseConnectionAsync(AsHardError(error)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An exception no protocol rule explains: counted (it is a bug), and the connection closes with INTERNAL_ERROR.</summary>
    private bool IsUnexpected(Exception error)
    {
        if (error is AmqpException or BrokerException or ObjectDisposedException)
        {
            return error is ObjectDisposedException;
        }
        Server.NoteUnexpected(error);
        return true;
    }

    private static AmqpException AsHardError(Exception error) => error switch
    {
        AmqpException amqp => amqp,
        BrokerException broker => AmqpException.From(broker, 0, 0),
        ObjectDisposedException => new AmqpException((ReplyCode)320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"),
        _ => AmqpException.Of(ReplyCode.InternalError, error.Message),
    };

    private static bool IsTransportFailure(Exception error) => error is IOException or ObjectDisposedException or InvalidOperationException
        or OperationCanceledException or System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.ConnectionResetException;

    /// <summary>A publish was issued to the broker: counted until its outcome is handled.</summary>
    public void AddPublishInFlight(long bytes)
    {
        Interlocked.Increment(ref _publishesInFlight);
        Interlocked.Add(ref _publishBytesInFlight, bytes);
    }

    public void RemovePublishInFlight(long bytes)
    {
        var count = Interlocked.Decrement(ref _publishesInFlight);
        var total = Interlocked.Add(ref _publishBytesInFlight, -bytes);
        if (count <= Options.MaxPublishesInFlight / 2 && total <= Options.MaxPublishBytesInFlight / 2)
        {
            lock (_inFlightGate)
            {
                _inFlightDrained?.TrySetResult();
                _inFlightDrained = null;
            }
        }
    }

    private bool TooManyPublishesInFlight() =>
        Interlocked.Read(ref _publishesInFlight) > Options.MaxPublishesInFlight
        || Interlocked.Read(ref _publishBytesInFlight) > Options.MaxPublishBytesInFlight;

    /// <summary>Stops reading while too many publishes wait for the broker, so that a fast publisher cannot fill memory.</summary>
    private async ValueTask WaitForPublishRoomAsync()
    {
        while (TooManyPublishesInFlight())
        {
            Task wait;
            lock (_inFlightGate)
            {
                _inFlightDrained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _inFlightDrained.Task;
            }
            if (Interlocked.Read(ref _publishesInFlight) <= Options.MaxPublishesInFlight / 2
                && Interlocked.Read(ref _publishBytesInFlight) <= Options.MaxPublishBytesInFlight / 2)
            {
                return;
            }
            _busy++;
            try
            {
                await wait.ConfigureAwait(false);
            }
            finally
            {
                _busy--;
            }
        }
    }

    private readonly List<Task> _pumps = [];

    /// <summary>A channel's confirm pump, awaited before the connection's end so that no buffer outlives it.</summary>
    public void TrackPump(Task pump)
    {
        lock (_pumps)
        {
            _pumps.RemoveAll(p => p.IsCompleted);
            _pumps.Add(pump);
        }
    }

    private async Task WaitForPumpsAsync()
    {
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }
        await Task.WhenAll(pumps).ConfigureAwait(false);
    }
}

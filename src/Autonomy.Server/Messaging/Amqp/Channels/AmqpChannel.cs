using System.Buffers;
using System.Threading.Channels;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// One AMQP channel: a broker <see cref="Session"/> (delivery tags, unacknowledged messages, consumers), the content
/// being assembled for a publish, and the pump that turns publish outcomes into confirms and returns. Frames arrive
/// in order from the connection's reader; a method that awaits the broker holds the reader until it completes, so a
/// channel's methods are handled strictly in order. Publishes do not wait: they are issued and their outcomes
/// handled by the pump, in order.
/// </summary>
internal sealed partial class AmqpChannel
{
    private readonly AmqpConnection _connection;
    private readonly VirtualHost _vhost;
    private readonly Session _session;
    private readonly Task _pump;
    private ChannelPhase _phase = ChannelPhase.Open;
    private volatile bool _ended;
    private ushort _classId;
    private ushort _methodId;
    private string? _lastQueue;

    public AmqpChannel(AmqpConnection connection, ushort number)
    {
        _connection = connection;
        Number = number;
        _vhost = connection.VirtualHost!;
        _session = _vhost.OpenSession(connection);
        _pump = PumpAsync();
        connection.TrackPump(_pump);
    }

    public ushort Number { get; }

    private OutboundWriter Output => _connection.Output;

    private BrokerPermissions Permissions => _connection.Server.Users.Permissions;

    /// <summary>Handles a frame for this channel; soft errors close the channel here, hard ones are thrown for the connection.</summary>
    public ValueTask HandleFrame(in Frame frame)
    {
        if (_phase == ChannelPhase.Closing)
        {
            HandleWhileClosing(frame);
            return ValueTask.CompletedTask;
        }
        ValueTask work;
        try
        {
            work = Dispatch(frame);
        }
        catch (Exception error) when (error is AmqpException or BrokerException)
        {
            return FailAsync(error);
        }
        return work.IsCompletedSuccessfully ? ValueTask.CompletedTask : Guarded(work);
    }

    private async ValueTask Guarded(ValueTask work)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception error) when (error is AmqpException or BrokerException)
        {
            await FailAsync(error).ConfigureAwait(false);
        }
    }

    private ValueTask Dispatch(in Frame frame)
    {
        switch (_stage)
        {
            case ContentStage.Header:
                if (frame.Type != FrameType.Header)
                {
                    throw Hard(ReplyCode.UnexpectedFrame, "expected content header for class 60, got non content header frame instead");
                }
                ReceiveHeader(frame.Payload);
                return ValueTask.CompletedTask;
            case ContentStage.Body:
                if (frame.Type != FrameType.Body)
                {
                    throw Hard(ReplyCode.UnexpectedFrame, "expected content body, got non content body frame instead");
                }
                ReceiveBody(frame.Payload);
                return ValueTask.CompletedTask;
        }
        if (frame.Type != FrameType.Method)
        {
            throw AmqpException.Of(ReplyCode.UnexpectedFrame, "expected method frame, got non method frame instead");
        }
        if (IsPublish(frame.Payload))
        {
            (_classId, _methodId) = (BasicPublish.Class, BasicPublish.Method);
            BeginPublish(DecodePublish(frame.Payload));
            return _connection.Broker.IsBlocked ? _connection.WaitWhileBlockedAsync() : ValueTask.CompletedTask;
        }
        if (TryReadAck(frame.Payload, out var ack))
        {
            // The other per-message method: read in place, not boxed.
            (_classId, _methodId) = (BasicAck.Class, BasicAck.Method);
            return Settle(new Settlement(SettlementKind.Ack, ack.DeliveryTag, ack.Multiple, false));
        }
        var method = AmqpConnection.DecodeMethod(frame.Payload);
        (_classId, _methodId) = (method.ClassId, method.MethodId);
        return HandleMethod(method);
    }

    /// <summary>A well-formed basic.ack (ids, tag, one octet of bits); anything else goes through the general decoder.</summary>
    private static bool TryReadAck(in System.Buffers.ReadOnlySequence<byte> payload, out BasicAck ack)
    {
        ack = default;
        if (payload.Length != 4 + 8 + 1)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[13];
        payload.CopyTo(bytes);
        if (MethodCodec.PeekIds(bytes) != (BasicAck.Class, BasicAck.Method))
        {
            return false;
        }
        ack = new BasicAck(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[4..]), (bytes[12] & 1) != 0);
        return true;
    }

    private ValueTask HandleMethod(IAmqpMethod method) => method switch
    {
        ChannelClose => CloseByClientAsync(),
        ChannelCloseOk => ValueTask.CompletedTask,
        ChannelFlow flow => Flow(flow),
        ChannelOpen => throw Hard(ReplyCode.ChannelError, "second 'channel.open' seen"),
        ExchangeDeclare m => DeclareExchangeAsync(m),
        ExchangeDelete m => DeleteExchangeAsync(m),
        ExchangeBind m => BindExchangeAsync(m),
        ExchangeUnbind m => UnbindExchangeAsync(m),
        QueueDeclare m => DeclareQueueAsync(m),
        QueueBind m => BindQueueAsync(m),
        QueueUnbind m => UnbindQueueAsync(m),
        QueuePurge m => PurgeQueueAsync(m),
        QueueDelete m => DeleteQueueAsync(m),
        BasicQos m => Qos(m),
        BasicConsume m => ConsumeAsync(m),
        BasicCancel m => CancelAsync(m),
        BasicGet m => GetAsync(m),
        BasicAck m => Settle(new Settlement(SettlementKind.Ack, m.DeliveryTag, m.Multiple, false)),
        BasicNack m => Settle(new Settlement(SettlementKind.Nack, m.DeliveryTag, m.Multiple, m.Requeue)),
        BasicReject m => Settle(new Settlement(SettlementKind.Reject, m.DeliveryTag, false, m.Requeue)),
        BasicRecover m => Recover(m.Requeue, reply: true),
        BasicRecoverAsync m => Recover(m.Requeue, reply: false),
        ConfirmSelect m => SelectConfirms(m),
        TxSelect => SelectTx(),
        TxCommit => CommitAsync(),
        TxRollback => Rollback(),
        _ => throw Hard(ReplyCode.CommandInvalid, "unimplemented method"),
    };

    private ValueTask Flow(ChannelFlow flow)
    {
        if (!flow.Active)
        {
            throw Hard(ReplyCode.NotImplemented, "active=false");
        }
        Output.WriteMethod(Number, new ChannelFlowOk(true));
        return ValueTask.CompletedTask;
    }

    /// <summary>A refusal naming the method being handled.</summary>
    private AmqpException Hard(ReplyCode code, string reason) => AmqpException.Of(code, reason, _classId, _methodId);

    private AmqpException Refuse(ReplyCode code, string reason) => AmqpException.Of(code, reason, _classId, _methodId);

    /// <summary>Soft errors close this channel; hard ones go up to close the connection.</summary>
    private async ValueTask FailAsync(Exception error)
    {
        var failure = error as AmqpException ?? AmqpException.From((BrokerException)error, _classId, _methodId);
        if (failure.ClosesConnection)
        {
            throw failure;
        }
        await CloseByServerAsync(failure).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the channel for a soft error: channel.close goes out, the session ends (its unacknowledged messages go
    /// back to their queues), and every frame on the channel is discarded until close-ok.
    /// </summary>
    public async ValueTask CloseByServerAsync(AmqpException failure)
    {
        if (_phase != ChannelPhase.Open)
        {
            return;
        }
        _phase = ChannelPhase.Closing;
        Output.WriteMethod(Number, new ChannelClose((ushort)failure.Code, AmqpReplyText.Fit(failure.Message), failure.ClassId, failure.MethodId));
        await EndAsync().ConfigureAwait(false);
    }

    private void HandleWhileClosing(in Frame frame)
    {
        if (frame.Type != FrameType.Method || frame.Payload.Length < 4)
        {
            return;
        }
        Span<byte> ids = stackalloc byte[4];
        frame.Payload.Slice(0, 4).CopyTo(ids);
        var (classId, methodId) = MethodCodec.PeekIds(ids);
        if (classId == ChannelCloseOk.Class && methodId == ChannelCloseOk.Method)
        {
            _phase = ChannelPhase.Ended;
            _connection.ForgetChannel(this);
        }
        else if (classId == ChannelClose.Class && methodId == ChannelClose.Method)
        {
            // The client closed too, crossing ours: answer it, and keep waiting for its answer to ours.
            Output.WriteMethod(Number, new ChannelCloseOk());
        }
    }

    private async ValueTask CloseByClientAsync()
    {
        await EndAsync().ConfigureAwait(false);
        // Confirms and returns of what was published before the close go out before close-ok.
        await _pump.ConfigureAwait(false);
        Output.WriteMethod(Number, new ChannelCloseOk());
        _phase = ChannelPhase.Ended;
        _connection.ForgetChannel(this);
    }

    /// <summary>Ends the channel's work: no more frames from it, its session closes, buffers go back to the pool.</summary>
    public async Task EndAsync()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        ReleaseContent();
        _transaction?.Clear(Return);
        _pending.Writer.TryComplete();
        await _session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>An outcome failure the pump met: the channel closes with it, on the reader's turn.</summary>
    private void PostFailure(Exception error)
    {
        AmqpException failure;
        if (error is BrokerException broker)
        {
            failure = AmqpException.From(broker, BasicPublish.Class, BasicPublish.Method);
        }
        else if (error is ObjectDisposedException)
        {
            return;
        }
        else
        {
            _connection.Server.NoteUnexpected(error);
            failure = AmqpException.Of(ReplyCode.InternalError, error.Message, BasicPublish.Class, BasicPublish.Method);
        }
        _connection.Post(async () =>
        {
            if (failure.ClosesConnection)
            {
                throw failure;
            }
            await CloseByServerAsync(failure).ConfigureAwait(false);
        });
    }

    private void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            _connection.Server.ReturnContent(buffer);
        }
    }

    private enum ChannelPhase
    {
        Open,
        Closing,
        Ended,
    }

    private readonly Channel<PendingPublish> _pending = Channel.CreateUnbounded<PendingPublish>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = true,
        AllowSynchronousContinuations = false,
    });
}

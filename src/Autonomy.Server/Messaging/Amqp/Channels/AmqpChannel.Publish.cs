using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Autonomy.Server.Diagnostics;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpChannel
{
    /// <summary>The largest body the protocol layer will assemble at all (RabbitMQ's hard limit); above it the framing itself is refused.</summary>
    private const long MaxContentSize = 512L << 20;

    private ContentStage _stage;
    private BasicPublish _publish;
    private byte[]? _content;
    private int _propertiesLength;
    private int _bodySize;
    private int _bodyFilled;
    private bool _confirming;
    private ulong _nextSequence;

    private static bool IsPublish(in System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.Length < 4)
        {
            return false;
        }
        Span<byte> ids = stackalloc byte[4];
        payload.Slice(0, 4).CopyTo(ids);
        return MethodCodec.PeekIds(ids) == (BasicPublish.Class, BasicPublish.Method);
    }

    /// <summary>
    /// basic.publish read in place: its names come from the connection's cache, so a publisher that repeats them
    /// allocates no strings. Strict as the codec is: a truncated method or trailing octets cannot be decoded.
    /// </summary>
    private BasicPublish DecodePublish(in System.Buffers.ReadOnlySequence<byte> payload)
    {
        Span<byte> copy = stackalloc byte[4 + 2 + 256 + 256 + 1];
        if (payload.Length > copy.Length)
        {
            throw Hard(ReplyCode.FrameError, $"cannot decode basic.publish: {payload.Length - copy.Length} octets follow the last argument");
        }
        payload.CopyTo(copy);
        var span = copy[..(int)payload.Length];
        var position = 4 + 2;
        var exchange = ShortString(span, ref position);
        var routingKey = ShortString(span, ref position);
        if (position + 1 != span.Length)
        {
            throw Hard(ReplyCode.FrameError, position + 1 > span.Length
                ? "cannot decode basic.publish: the arguments end early"
                : $"cannot decode basic.publish: {span.Length - position - 1} octets follow the last argument");
        }
        var bits = span[position];
        return new BasicPublish(_connection.Names.Get(exchange), _connection.Names.Get(routingKey), (bits & 1) != 0, (bits & 2) != 0);
    }

    private ReadOnlySpan<byte> ShortString(ReadOnlySpan<byte> span, ref int position)
    {
        if (position >= span.Length || position + 1 + span[position] > span.Length)
        {
            throw Hard(ReplyCode.FrameError, "cannot decode basic.publish: the arguments end early");
        }
        var text = span.Slice(position + 1, span[position]);
        position += 1 + text.Length;
        return text;
    }

    private void BeginPublish(BasicPublish publish)
    {
        if (publish.Immediate)
        {
            throw Hard(ReplyCode.NotImplemented, "immediate=true");
        }
        _publish = publish;
        _stage = ContentStage.Header;
    }

    private void ReceiveHeader(in System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            ReceiveHeader(payload.FirstSpan);
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(rented);
            ReceiveHeader(rented.AsSpan(0, (int)payload.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void ReceiveHeader(ReadOnlySpan<byte> payload)
    {
        ushort classId;
        ulong bodySize;
        ReadOnlySpan<byte> encoded;
        try
        {
            classId = ContentHeader.ReadPrefix(payload, out bodySize, out encoded);
        }
        catch (AmqpFrameException error) when (error.Code == ReplyCode.SyntaxError)
        {
            // A weight other than 0: not a content header as the spec defines one.
            throw Hard(ReplyCode.UnexpectedFrame, "expected content header for class 60, got non content header frame instead");
        }
        catch (AmqpFrameException error)
        {
            throw Hard(ReplyCode.FrameError, $"cannot decode content header: {error.Reason}");
        }
        if (classId != BasicPublish.Class)
        {
            throw Hard(ReplyCode.UnexpectedFrame, $"expected content header for class 60, got one for class {classId} instead");
        }
        try
        {
            // Checked once here; the broker stores the properties as they are and reads what it needs in place.
            PropertiesCodec.Peek(encoded);
        }
        catch (FormatException error)
        {
            throw Hard(ReplyCode.FrameError, $"cannot decode content header: {error.Message}");
        }
        if (bodySize > MaxContentSize)
        {
            throw Hard(ReplyCode.FrameError, $"content body size {bodySize} exceeds maximum allowed size {MaxContentSize}");
        }
        // The body frames that follow are discarded by the closing channel.
        _stage = ContentStage.Method;
        if ((long)bodySize > _connection.Options.MaxMessageSize)
        {
            throw Refuse(ReplyCode.PreconditionFailed, $"message size {bodySize} is larger than configured max size {_connection.Options.MaxMessageSize}");
        }
        _propertiesLength = encoded.Length;
        _bodySize = (int)bodySize;
        _bodyFilled = 0;
        // A frame's worth to start with, grown as the body arrives: the size a header declares is the peer's word only.
        _content = _connection.Server.RentContent(_propertiesLength + Math.Min(_bodySize, (int)_connection.FrameMax));
        encoded.CopyTo(_content);
        if (_bodySize == 0)
        {
            CompletePublish();
        }
        else
        {
            _stage = ContentStage.Body;
        }
    }

    private void ReceiveBody(in System.Buffers.ReadOnlySequence<byte> payload)
    {
        if (payload.Length > _bodySize - _bodyFilled)
        {
            throw Hard(ReplyCode.FrameError, "content body frame exceeds remaining content size");
        }
        var needed = _propertiesLength + _bodyFilled + (int)payload.Length;
        if (needed > _content!.Length)
        {
            var grown = _connection.Server.RentContent(Math.Min(_propertiesLength + _bodySize, Math.Max(needed, _content.Length * 2)));
            _content.AsSpan(0, _propertiesLength + _bodyFilled).CopyTo(grown);
            _connection.Server.ReturnContent(_content);
            _content = grown;
        }
        payload.CopyTo(_content.AsSpan(_propertiesLength + _bodyFilled));
        _bodyFilled += (int)payload.Length;
        if (_bodyFilled == _bodySize)
        {
            _stage = ContentStage.Method;
            CompletePublish();
        }
    }

    /// <summary>
    /// Checks what can be checked before the publish is issued (so that nothing after a refused publish on this
    /// channel is stored), then issues it without waiting: the pump handles its outcome in order.
    /// </summary>
    private void CompletePublish()
    {
        var content = _content!;
        _content = null;
        try
        {
            CheckPublish(_publish.Exchange, content.AsSpan(0, _propertiesLength));
        }
        catch
        {
            _connection.Server.ReturnContent(content);
            throw;
        }
        if (_transaction is { } transaction)
        {
            Buffer(transaction, new BufferedPublish(_publish, content, _propertiesLength, _bodySize));
            return;
        }
        var sequence = _confirming ? ++_nextSequence : 0;
        // Flow control is this layer's (connection.blocked), so the broker is told not to hold the publish back itself.
        var outcome = _vhost.PublishAsync(_publish.Exchange, _publish.RoutingKey, content.AsMemory(0, _propertiesLength),
            content.AsMemory(_propertiesLength, _bodySize), _publish.Mandatory, skipFlowWait: true, CancellationToken.None);
        var pending = new PendingPublish(outcome, sequence, _publish.Mandatory, _publish.Exchange, _publish.RoutingKey, content, _propertiesLength, _bodySize,
            sequence == 0 ? 0 : Stopwatch.GetTimestamp());
        _connection.AddPublishInFlight(pending.Size);
        _pending.Writer.TryWrite(pending);
    }

    private void CheckPublish(string exchange, ReadOnlySpan<byte> encodedProperties)
    {
        Require(Operation.Write, "exchange", exchange);
        var target = _vhost.FindExchangeOrNull(exchange) ?? throw Refuse(ReplyCode.NotFound, $"no exchange '{exchange}' in vhost '{_vhost.Name}'");
        if (target.Internal)
        {
            throw Refuse(ReplyCode.AccessRefused, $"cannot publish to internal exchange '{exchange}' in vhost '{_vhost.Name}'");
        }
        // user-id is rare: it alone is worth decoding the properties for.
        if ((BinaryPrimitives.ReadUInt16BigEndian(encodedProperties) & UserIdFlag) != 0
            && PropertiesCodec.Decode(encodedProperties).UserId is { } userId && userId != _connection.UserName)
        {
            throw Refuse(ReplyCode.PreconditionFailed, $"user_id property set to '{userId}' but authenticated user was '{_connection.UserName}'");
        }
        var view = PropertiesCodec.Peek(encodedProperties);
        if (view.HasExpiration && !IsWholeNumber(view.Expiration))
        {
            throw Refuse(ReplyCode.PreconditionFailed, $"invalid expiration '{Encoding.UTF8.GetString(view.Expiration)}': no_integer");
        }
    }

    private const ushort UserIdFlag = 1 << 4;

    private static bool IsWholeNumber(ReadOnlySpan<byte> text) =>
        !text.IsEmpty && text.Length <= 18 && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private void ReleaseContent()
    {
        Return(_content);
        _content = null;
        _stage = ContentStage.Method;
    }

    private ValueTask SelectConfirms(ConfirmSelect m)
    {
        if (_transaction is not null)
        {
            throw Refuse(ReplyCode.PreconditionFailed, "cannot switch from tx to confirm mode");
        }
        _confirming = true;
        if (!m.NoWait)
        {
            Output.WriteMethod(Number, new ConfirmSelectOk());
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Handles publish outcomes in the order the publishes were issued: a basic.return for a mandatory one no queue
    /// took (before its confirm), then the confirm. Acks that complete together go out as one ack with multiple set,
    /// never reaching past a nack or an outcome still pending.
    /// </summary>
    private async Task PumpAsync()
    {
        var reader = _pending.Reader;
        ulong ackFirst = 0;
        ulong ackLast = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var publish))
            {
                if (!publish.Outcome.IsCompleted)
                {
                    WriteAcks(ref ackFirst, ref ackLast);
                }
                PublishOutcome outcome;
                try
                {
                    outcome = await publish.Outcome.ConfigureAwait(false);
                }
                catch (Exception error)
                {
                    Return(publish.Buffer);
                    _connection.RemovePublishInFlight(publish.Size);
                    PostFailure(error);
                    continue;
                }
                if (!_ended)
                {
                    if (outcome == PublishOutcome.Unroutable && publish.Mandatory)
                    {
                        WriteAcks(ref ackFirst, ref ackLast);
                        WriteReturn(publish.Exchange, publish.RoutingKey, publish.Properties.Span, publish.Body);
                    }
                    if (publish.Sequence != 0)
                    {
                        if (outcome == PublishOutcome.Rejected)
                        {
                            WriteAcks(ref ackFirst, ref ackLast);
                            Output.WriteMethod(Number, new BasicNack(publish.Sequence, false, false));
                        }
                        else
                        {
                            AutonomyMetrics.BrokerConfirmLatency.Record(Stopwatch.GetElapsedTime(publish.Issued).TotalSeconds);
                            ackFirst = ackFirst == 0 ? publish.Sequence : ackFirst;
                            ackLast = publish.Sequence;
                        }
                    }
                }
                Return(publish.Buffer);
                _connection.RemovePublishInFlight(publish.Size);
            }
            WriteAcks(ref ackFirst, ref ackLast);
        }
    }

    private void WriteAcks(ref ulong first, ref ulong last)
    {
        if (last == 0)
        {
            return;
        }
        if (!_ended)
        {
            Output.WriteMethod(Number, new BasicAck(last, last != first));
        }
        first = last = 0;
    }

    private void WriteReturn(string exchange, string routingKey, ReadOnlySpan<byte> properties, ReadOnlyMemory<byte> body) =>
        Output.WriteContent(Number, new BasicReturn((ushort)ReplyCode.NoRoute, "NO_ROUTE", exchange, routingKey), properties, body, _connection.FrameMax);

    private enum ContentStage
    {
        Method,
        Header,
        Body,
    }
}

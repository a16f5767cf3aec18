using System.Buffers.Binary;
using System.Collections.Concurrent;
using Autonomy.Server.Messaging.Storage;

namespace Autonomy.Tests.Messaging.Storage;

/// <summary>
/// A queue kept over the log the way the broker engine keeps one: a message record per publish, retained while
/// unsettled; an ack record naming the message's segment, after which the message is released.
/// </summary>
internal sealed class LogQueue
{
    private const byte MessageKind = 1;
    private const byte AckKind = 2;

    public ConcurrentDictionary<long, LogPosition> Live { get; } = new();

    /// <summary>Rebuilds the queue from the log, retaining the segment of every message not acked.</summary>
    public void Replay(MessageLog log, LogPosition position, ReadOnlySpan<byte> payload)
    {
        var id = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        if (payload[0] == MessageKind)
        {
            Assert.True(Live.TryAdd(id, position), $"message {id} replayed twice");
            log.Retain(position.Segment);
        }
        else if (Live.TryRemove(id, out var message))
        {
            log.Release(message.Segment);
        }
    }

    public async Task<LogPosition> PublishAsync(MessageLog log, long id, bool durable = true, int bytes = 200)
    {
        var position = await log.AppendAsync(Record(MessageKind, id, bytes), durable, refersTo: null, retain: 1);
        Live[id] = position;
        return position;
    }

    /// <summary>Settles a message: the ack is recorded (refering to the message's segment), then the message released.</summary>
    public async Task<LogPosition?> AckAsync(MessageLog log, long id, bool durable = true)
    {
        if (!Live.TryRemove(id, out var message))
        {
            return null;
        }
        var position = await log.AppendAsync(Record(AckKind, id, 24), durable, refersTo: message.Segment);
        log.Release(message.Segment);
        return position;
    }

    public static byte[] Record(byte kind, long id, int bytes)
    {
        var record = new byte[Math.Max(9, bytes)];
        record[0] = kind;
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(1), id);
        return record;
    }

    public static async Task<(MessageLog Log, LogQueue Queue)> OpenAsync(string directory, ILogFileSystem files, long segmentBytes)
    {
        var queue = new LogQueue();
        var log = await MessageLog.OpenAsync(directory, files, new MessageLogOptions { SegmentBytes = segmentBytes }, queue.Replay);
        return (log, queue);
    }
}

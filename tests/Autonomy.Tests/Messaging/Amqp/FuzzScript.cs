using System.Buffers;
using System.Buffers.Binary;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// A valid run of frames a client could send after the handshake, drawn at random: channels opened, exchanges and
/// queues declared and bound (with argument tables), qos, confirms or tx, publishes of 0 to 3 body frames around the
/// frame size, consumes, gets, settlements of real and made-up tags, recover, cancel, channel close and heartbeats.
/// Every name starts with "scratch.", the only names the fuzzing user may touch (besides publishing to fuzz.durable
/// with routing keys no queue of the oracle is bound with).
/// </summary>
internal static class FuzzScript
{
    private static readonly string[] ExchangeKinds = ["direct", "topic", "fanout", "headers"];

    /// <summary>One frame of the script: its octets, whole, and what it is (for the report of a failure).</summary>
    public sealed record ScriptFrame(byte[] Octets, string What)
    {
        public byte Type => Octets[0];
    }

    public static List<ScriptFrame> Generate(Random random, int worker, uint frameMax)
    {
        var frames = new List<ScriptFrame>();
        var channels = random.Next(1, 4);
        var open = new List<ushort>();
        var steps = random.Next(3, 16);
        for (var step = 0; step < steps; step++)
        {
            if (open.Count < channels && (open.Count == 0 || random.Next(4) == 0))
            {
                var number = (ushort)(open.Count + 1);
                open.Add(number);
                frames.Add(Method(number, new ChannelOpen()));
                continue;
            }
            var channel = open[random.Next(open.Count)];
            AddStep(frames, random, worker, channel, frameMax);
        }
        if (random.Next(3) == 0)
        {
            var channel = open[random.Next(open.Count)];
            frames.Add(Method(channel, new ChannelClose(200, "bye", 0, 0)));
        }
        return frames;
    }

    private static void AddStep(List<ScriptFrame> frames, Random random, int worker, ushort channel, uint frameMax)
    {
        var queue = $"scratch.w{worker}.q{random.Next(1, 4)}";
        var exchange = $"scratch.w{worker}.x{random.Next(1, 3)}";
        switch (random.Next(20))
        {
            case 0:
                // The kind is fixed per name, so that redeclares agree unless a mutation changes them.
                var kind = ExchangeKinds[exchange[^1] - '0'];
                frames.Add(Method(channel, new ExchangeDeclare(exchange, kind, random.Next(6) == 0, exchange.EndsWith('1'), false, false, false, Arguments(random))));
                break;
            case 1:
                frames.Add(Method(channel, new QueueDeclare(queue, random.Next(6) == 0, queue.EndsWith('1'), false, false, false, ScratchQueueArguments(random))));
                break;
            case 2:
                frames.Add(Method(channel, new QueueDeclare($"scratch.w{worker}.own{channel}", false, false, true, random.Next(2) == 0, random.Next(5) == 0, ScratchQueueArguments(random))));
                break;
            case 3:
                frames.Add(Method(channel, new QueueBind(queue, exchange, "scratch.key", random.Next(5) == 0, Arguments(random))));
                break;
            case 4:
                frames.Add(Method(channel, random.Next(3) == 0
                    ? new ExchangeBind(exchange, $"scratch.w{worker}.x{random.Next(1, 3)}", "scratch.key", false, new FieldTable())
                    : new QueueUnbind(queue, exchange, "scratch.key", new FieldTable())));
                break;
            case 5:
                frames.Add(Method(channel, new BasicQos(0, (ushort)random.Next(0, 20), random.Next(2) == 0)));
                break;
            case 6:
                frames.Add(Method(channel, random.Next(2) == 0 ? new ConfirmSelect(random.Next(4) == 0) : new TxSelect()));
                break;
            case 7:
                frames.Add(Method(channel, random.Next(2) == 0 ? new TxCommit() : new TxRollback()));
                break;
            case 8:
            case 9:
            case 10:
                AddPublish(frames, random, worker, channel, exchange, frameMax);
                break;
            case 11:
                frames.Add(Method(channel, new BasicConsume(queue, random.Next(2) == 0 ? "" : $"scratch.tag{random.Next(3)}", false, random.Next(2) == 0,
                    random.Next(6) == 0, random.Next(6) == 0, new FieldTable())));
                break;
            case 12:
                frames.Add(Method(channel, new BasicGet(queue, random.Next(2) == 0)));
                break;
            case 13:
                frames.Add(Method(channel, new BasicAck(Tag(random), random.Next(3) == 0)));
                break;
            case 14:
                frames.Add(Method(channel, random.Next(2) == 0
                    ? new BasicNack(Tag(random), random.Next(3) == 0, random.Next(2) == 0)
                    : new BasicReject(Tag(random), random.Next(2) == 0)));
                break;
            case 15:
                frames.Add(Method(channel, random.Next(2) == 0 ? new BasicRecover(true) : new BasicRecoverAsync(true)));
                break;
            case 16:
                frames.Add(Method(channel, new BasicCancel($"scratch.tag{random.Next(3)}", random.Next(4) == 0)));
                break;
            case 17:
                frames.Add(Method(channel, new QueuePurge(queue, random.Next(4) == 0)));
                break;
            case 18:
                frames.Add(Method(channel, random.Next(2) == 0 ? new QueueDelete(queue, random.Next(2) == 0, random.Next(2) == 0, false)
                    : new ExchangeDelete(exchange, random.Next(2) == 0, false)));
                break;
            default:
                frames.Add(new ScriptFrame([8, 0, 0, 0, 0, 0, 0, 0xCE], "heartbeat"));
                break;
        }
    }

    private static void AddPublish(List<ScriptFrame> frames, Random random, int worker, ushort channel, string exchange, uint frameMax)
    {
        // Routing keys to fuzz.durable start with "scratch." too: the oracle's queues are bound with keep-a and keep-b.
        var (target, key) = random.Next(5) switch
        {
            0 => ("fuzz.durable", "scratch.elsewhere"),
            1 => ("", $"scratch.w{worker}.q1"),
            _ => (exchange, "scratch.key"),
        };
        frames.Add(Method(channel, new BasicPublish(target, key, random.Next(3) == 0, false)));
        var chunk = (int)frameMax - AmqpFrames.Overhead;
        var bodyFrames = random.Next(4);
        var sizes = new List<int>();
        for (var i = 0; i < bodyFrames; i++)
        {
            // Around the frame's capacity: one less, exactly, and less than that for the last frame.
            sizes.Add(i < bodyFrames - 1 ? chunk : Math.Max(1, chunk - random.Next(0, 3) * random.Next(1, chunk)));
        }
        var bodySize = sizes.Sum();
        var properties = new MessageProperties
        {
            ContentType = "application/octet-stream",
            DeliveryMode = (byte)random.Next(1, 3),
            MessageId = $"scratch-{random.Next()}",
            Priority = (byte)random.Next(0, 10),
            Headers = random.Next(2) == 0 ? Arguments(random) : null,
            Timestamp = DateTimeOffset.FromUnixTimeSeconds(random.Next()),
        };
        var header = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteContentHeader(header, channel, new ContentHeader(60, (ulong)bodySize, properties));
        frames.Add(new ScriptFrame(header.WrittenSpan.ToArray(), $"content header ({bodySize} octets)"));
        foreach (var size in sizes)
        {
            var payload = new byte[size];
            random.NextBytes(payload);
            frames.Add(new ScriptFrame(Frame((byte)FrameType.Body, channel, payload), $"body frame ({size} octets)"));
        }
    }

    private static ulong Tag(Random random) => random.Next(4) switch
    {
        0 => 0,
        1 => (ulong)random.Next(1000, 100000),
        _ => (ulong)random.Next(1, 6),
    };

    private static FieldTable Arguments(Random random)
    {
        var table = new FieldTable();
        var count = random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(5))
            {
                case 0: table[$"scratch-{i}"] = "text"; break;
                case 1: table[$"scratch-{i}"] = random.Next(); break;
                case 2: table[$"scratch-{i}"] = true; break;
                case 3: table[$"scratch-{i}"] = new FieldTable { ["inner"] = (long)random.Next() }; break;
                default: table[$"scratch-{i}"] = new byte[] { 1, 2, 3 }; break;
            }
        }
        return table;
    }

    /// <summary>Queue arguments that keep scratch queues small: a bounded length, sometimes a TTL or an overflow policy.</summary>
    private static FieldTable ScratchQueueArguments(Random random)
    {
        var table = new FieldTable { [QueueArguments.MaxLength] = 20 };
        if (random.Next(4) == 0)
        {
            table[QueueArguments.MessageTtl] = random.Next(1, 3) * 1000;
        }
        if (random.Next(6) == 0)
        {
            table[QueueArguments.Overflow] = "reject-publish";
        }
        return table;
    }

    public static ScriptFrame Method(ushort channel, IAmqpMethod method)
    {
        var output = new ArrayBufferWriter<byte>();
        new FrameWriter().WriteMethod(output, channel, method);
        return new ScriptFrame(output.WrittenSpan.ToArray(), $"{method.Name} on channel {channel}");
    }

    public static byte[] Frame(byte type, ushort channel, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[AmqpFrames.Overhead + payload.Length];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(AmqpFrames.HeaderSize));
        frame[^1] = AmqpFrames.FrameEnd;
        return frame;
    }
}

using System.Buffers.Binary;
using Autonomy.Server.Messaging.Amqp;
using ScriptFrame = Autonomy.Tests.Messaging.Amqp.FuzzScript.ScriptFrame;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// The ways a script's frames are damaged: the frame type, channel, size and end octet; class and method ids; the
/// lengths and type letters inside the arguments; a content header's class, weight, body size, flags and property
/// lengths; a content cut short (then a method, or silence); frames duplicated or reordered; junk appended.
/// Each mutation says what it did, for the report of a failure.
/// </summary>
internal static class FuzzMutations
{
    private static readonly (ushort Class, ushort Method)[] ServerOnly = [(10, 10), (10, 30), (20, 11), (60, 60), (60, 71), (60, 50), (50, 11), (85, 11)];

    /// <summary>Applies 1 to 3 mutations; returns what each did. The script may end early (a content cut short, then silence).</summary>
    public static List<string> Apply(List<ScriptFrame> frames, Random random, uint frameMax, ushort channelMax)
    {
        var done = new List<string>();
        var count = random.Next(1, 4);
        for (var i = 0; i < count && frames.Count > 0; i++)
        {
            done.Add(MutateOnce(frames, random, frameMax, channelMax));
        }
        return done;
    }

    private static string MutateOnce(List<ScriptFrame> frames, Random random, uint frameMax, ushort channelMax)
    {
        var at = random.Next(frames.Count);
        var frame = frames[at].Octets;
        var what = frames[at].What;
        switch (random.Next(13))
        {
            case 0:
            {
                byte[] types = [0, 4, 9, 0xFF, 1, 2, 3, 8, (byte)random.Next(256)];
                var type = types[random.Next(types.Length)];
                frame[0] = type;
                return $"frame {at} ({what}): type set to {type}";
            }
            case 1 when frame.Length >= AmqpFrames.HeaderSize:
            {
                ushort[] channels = [0, 7, (ushort)(channelMax + 1), 65535, (ushort)random.Next(1, 4)];
                var channel = channels[random.Next(channels.Length)];
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
                return $"frame {at} ({what}): channel set to {channel}";
            }
            case 2 when frame.Length >= AmqpFrames.HeaderSize:
            {
                var actual = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(3));
                uint[] sizes = [actual + 1, actual - 1, 0, frameMax + 1, 0xFFFFFFFF, actual + (uint)random.Next(2, 64)];
                var size = sizes[random.Next(sizes.Length)];
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), size);
                return $"frame {at} ({what}): size {actual} written as {size}, payload kept";
            }
            case 3:
            {
                var end = (byte)random.Next(256);
                end = end == AmqpFrames.FrameEnd ? (byte)0 : end;
                frame[^1] = end;
                return $"frame {at} ({what}): frame end 0x{end:X2}";
            }
            case 4 when frame.Length >= AmqpFrames.Overhead + 4:
            {
                var (classId, methodId) = random.Next(3) switch
                {
                    0 => ((ushort)random.Next(65536), (ushort)random.Next(65536)),
                    1 => ServerOnly[random.Next(ServerOnly.Length)],
                    _ => ((ushort)(new ushort[] { 10, 20, 40, 50, 60, 85, 90 }[random.Next(7)]), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(9))),
                };
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(7), classId);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(9), methodId);
                return $"frame {at} ({what}): class and method ids set to {classId},{methodId}";
            }
            case 5 when frame.Length > AmqpFrames.Overhead + 4:
            {
                // An octet inside the arguments: a short string's length, a bit octet, a table's type letter.
                var offset = random.Next(AmqpFrames.HeaderSize + 4, frame.Length - 1);
                byte[] values = [0, 0xFF, (byte)(frame[offset] + 1), (byte)(frame[offset] - 1), (byte)'V', (byte)'A', (byte)'F', (byte)random.Next(256)];
                var value = values[random.Next(values.Length)];
                frame[offset] = value;
                return $"frame {at} ({what}): argument octet at {offset} set to 0x{value:X2}";
            }
            case 6 when frame.Length > AmqpFrames.Overhead + 8:
            {
                // A 32-bit length somewhere in the arguments (a long string's, a table's): off by some, zero or huge.
                var offset = random.Next(AmqpFrames.HeaderSize + 4, frame.Length - 4);
                var old = BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(offset));
                uint[] values = [old + (uint)random.Next(1, 9), old - (uint)random.Next(1, 9), 0, uint.MaxValue, 0x7FFFFFFF];
                var value = values[random.Next(values.Length)];
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(offset), value);
                return $"frame {at} ({what}): 32-bit value at {offset} set to {value}";
            }
            case 7:
                return MutateContentHeader(frames, random);
            case 8:
                return CutContent(frames, random);
            case 9:
            {
                frames.Insert(at, frames[at] with { Octets = (byte[])frame.Clone() });
                return $"frame {at} ({what}) sent twice";
            }
            case 10 when at + 1 < frames.Count:
            {
                (frames[at], frames[at + 1]) = (frames[at + 1], frames[at]);
                return $"frames {at} and {at + 1} swapped";
            }
            case 11:
            {
                var junk = new byte[random.Next(1, 64)];
                random.NextBytes(junk);
                var where = random.Next(frames.Count + 1);
                frames.Insert(where, new ScriptFrame(junk, "junk"));
                return $"{junk.Length} octets of junk before frame {where}";
            }
            default:
            {
                var offset = random.Next(frame.Length);
                frame[offset] ^= (byte)(1 << random.Next(8));
                return $"frame {at} ({what}): a bit flipped at {offset}";
            }
        }
    }

    private static string MutateContentHeader(List<ScriptFrame> frames, Random random)
    {
        var at = frames.FindIndex(random.Next(frames.Count), f => f.Type == 2 && f.Octets.Length >= AmqpFrames.Overhead + 14);
        if (at < 0)
        {
            at = frames.FindIndex(f => f.Type == 2 && f.Octets.Length >= AmqpFrames.Overhead + 14);
        }
        if (at < 0)
        {
            return "no content header to damage";
        }
        var frame = frames[at].Octets;
        const int payload = AmqpFrames.HeaderSize;
        switch (random.Next(6))
        {
            case 0:
                var classId = (ushort)(random.Next(2) == 0 ? 50 : random.Next(65536));
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(payload), classId);
                return $"content header {at}: class {classId}";
            case 1:
                var weight = (ushort)random.Next(1, 65536);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(payload + 2), weight);
                return $"content header {at}: weight {weight}";
            case 2:
                var size = BinaryPrimitives.ReadUInt64BigEndian(frame.AsSpan(payload + 4));
                ulong[] sizes = [size + 1, size == 0 ? 5 : size - 1, 0, size * 2 + 10, 100UL << 20, 600UL << 20, 200UL << 20, ulong.MaxValue];
                var chosen = sizes[random.Next(sizes.Length)];
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(payload + 4), chosen);
                return $"content header {at}: body size {size} written as {chosen}";
            case 3:
                // Bit 0 (continuation) or bit 1 (reserved) of the property flags.
                frame[payload + 13] |= (byte)(random.Next(2) == 0 ? 1 : 2);
                return $"content header {at}: flags {frame[payload + 12]:X2}{frame[payload + 13]:X2}";
            case 4:
                if (frame.Length <= payload + 15)
                {
                    return $"content header {at}: no property to damage";
                }
                var offset = random.Next(payload + 14, frame.Length - 1);
                frame[offset] = (byte)random.Next(256);
                return $"content header {at}: property octet at {offset} set to 0x{frame[offset]:X2}";
            default:
                var flags = (ushort)random.Next(65536);
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(payload + 12), flags);
                return $"content header {at}: flags {flags:X4}";
        }
    }

    /// <summary>A content cut short: body frames dropped, then either the script goes on (a method where a body belongs) or ends (silence).</summary>
    private static string CutContent(List<ScriptFrame> frames, Random random)
    {
        var header = frames.FindIndex(random.Next(frames.Count), f => f.Type == 2);
        if (header < 0)
        {
            header = frames.FindIndex(f => f.Type == 2);
        }
        if (header < 0)
        {
            return "no content to cut";
        }
        var bodies = 0;
        while (header + 1 + bodies < frames.Count && frames[header + 1 + bodies].Type == 3)
        {
            bodies++;
        }
        var keep = bodies == 0 ? 0 : random.Next(bodies);
        frames.RemoveRange(header + 1 + keep, bodies - keep);
        if (random.Next(3) == 0)
        {
            // Mid-body, then a partial frame, then nothing more.
            var cutAt = header + 1 + keep;
            var partial = FuzzScript.Frame(3, BinaryPrimitives.ReadUInt16BigEndian(frames[header].Octets.AsSpan(1)), new byte[100]);
            frames.RemoveRange(cutAt, frames.Count - cutAt);
            frames.Add(new ScriptFrame(partial[..random.Next(1, partial.Length)], "part of a body frame"));
            return $"content {header}: {keep} of {bodies} body frames, then part of one, then silence";
        }
        return $"content {header}: {keep} of {bodies} body frames, then the rest of the script";
    }
}

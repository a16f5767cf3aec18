using System.Buffers;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// Valid frames, mutated at random with a fixed seed: whatever comes in, the codec answers with a decoded frame or
/// an <see cref="AmqpFrameException"/>, never another exception, a hang or a crash.
/// </summary>
public class MutationFuzzTests
{
    private const int Mutations = 10_000;
    private const uint FrameMax = 4096;

    private static List<byte[]> ValidFrames()
    {
        var frames = new List<byte[]>();
        var writer = new FrameWriter();
        foreach (var method in MethodSamples.All)
        {
            var output = new ArrayBufferWriter<byte>();
            writer.WriteMethod(output, 1, method);
            frames.Add(output.WrittenSpan.ToArray());
        }
        var content = new ArrayBufferWriter<byte>();
        var properties = new MessageProperties { ContentType = "text/plain", Headers = MethodSamples.Table(), DeliveryMode = 2, Timestamp = DateTimeOffset.UnixEpoch, MessageId = "id" };
        writer.WriteContentHeader(content, 1, new ContentHeader(60, 300, properties));
        frames.Add(content.WrittenSpan.ToArray());
        content.ResetWrittenCount();
        FrameWriter.WriteBody(content, 1, new byte[300], FrameMax);
        frames.Add(content.WrittenSpan.ToArray());
        content.ResetWrittenCount();
        FrameWriter.WriteHeartbeat(content);
        frames.Add(content.WrittenSpan.ToArray());
        return frames;
    }

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var bytes = frame.ToList();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, random.Next(1, bytes.Count - at + 1)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[0] = (byte)random.Next(10); break; // frame type
                case 5 when bytes.Count >= 7: // frame size, keeping the frame otherwise intact
                    var size = random.Next(3) == 0 ? (uint)random.Next() : (uint)Math.Max(0, bytes.Count - 8 + random.Next(-4, 5));
                    for (var b = 0; b < 4; b++)
                    {
                        bytes[3 + b] = (byte)(size >> (24 - 8 * b));
                    }
                    break;
                case 6 when bytes.Count >= 11: // class and method ids
                    bytes[7 + random.Next(4)] = (byte)random.Next(256);
                    break;
                case 7 when bytes.Count > 12: // a length octet of a short string or table somewhere in the arguments
                    bytes[random.Next(11, bytes.Count - 1)] = (byte)random.Next(0, 40);
                    break;
                default: break;
            }
            if (bytes.Count == 0)
            {
                break;
            }
        }
        return [.. bytes];
    }

    [Fact]
    public void Mutated_frames_decode_or_raise_only_amqp_frame_errors()
    {
        var random = new Random(20261124);
        var frames = ValidFrames();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Mutations; i++)
        {
            var mutated = Mutate(frames[random.Next(frames.Count)], random);
            var input = random.Next(2) == 0 ? new ReadOnlySequence<byte>(mutated) : Segments.Of(mutated, random.Next(1, 8));
            string outcome;
            try
            {
                outcome = DecodeAll(ref input);
            }
            catch (AmqpFrameException e)
            {
                Assert.StartsWith(ReplyCodes.Name(e.Code) + " - ", e.Message);
                outcome = e.Code.ToString();
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({Convert.ToHexString(mutated)}) raised {e.GetType().Name}: {e.Message}");
                throw;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The mutations must reach every kind of outcome, or the test proves less than it claims.
        Assert.Contains("decoded", outcomes.Keys);
        Assert.Contains("incomplete", outcomes.Keys);
        Assert.Contains(nameof(ReplyCode.FrameError), outcomes.Keys);
        Assert.Contains(nameof(ReplyCode.SyntaxError), outcomes.Keys);
        Assert.Contains(nameof(ReplyCode.NotImplemented), outcomes.Keys);
    }

    private static string DecodeAll(ref ReadOnlySequence<byte> input)
    {
        var any = false;
        while (FrameReader.TryReadFrame(ref input, FrameMax, out var frame))
        {
            any = true;
            switch (frame.Type)
            {
                case FrameType.Method:
                    MethodCodec.Decode(frame.Payload);
                    break;
                case FrameType.Header:
                    ContentHeader.Decode(frame.Payload);
                    break;
                default:
                    break;
            }
        }
        return any && input.Length == 0 ? "decoded" : "incomplete";
    }
}

using System.Diagnostics;
using System.Net.Sockets;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// Reads everything a server sends on one connection until it hangs up, and checks it strictly: every frame well
/// formed and within the negotiated frame-max, every method one a server may send, a content's header and body frames
/// whole and not interleaved with methods on their channel, heartbeats empty and on channel 0, and every channel.close
/// or connection.close with a reply code a protocol error may have (never 541 INTERNAL_ERROR).
/// </summary>
internal sealed class ServerTranscript
{
    /// <summary>The reply codes a client's protocol error may close a channel or the connection with.</summary>
    private static readonly HashSet<ushort> ErrorCodes = [403, 404, 405, 406, 501, 502, 503, 504, 505, 530, 540];

    private readonly RawAmqpClient _client;
    private readonly uint _frameMax;
    private readonly Dictionary<ushort, ulong?> _content = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _problems = [];
    private readonly List<string> _log = [];
    private readonly List<string> _closes = [];
    private long _lastMethodAt;

    public ServerTranscript(RawAmqpClient client, uint frameMax)
    {
        _client = client;
        _frameMax = frameMax;
        Reading = Task.Run(ReadAsync);
    }

    /// <summary>Completes when the server hung up (or the client aborted).</summary>
    public Task Reading { get; }

    /// <summary>The connection.close the server sent, if it did.</summary>
    public ConnectionClose? ServerClose { get; private set; }

    public bool CloseOkReceived { get; private set; }

    /// <summary>The methods the server sent, in order, for the report of a failure.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_problems)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>What broke the rules, empty when nothing did.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Time since the last method frame (heartbeats do not count).</summary>
    public TimeSpan QuietFor => _clock.Elapsed - TimeSpan.FromTicks(Interlocked.Read(ref _lastMethodAt));

    private void Problem(string text)
    {
        lock (_problems)
        {
            _problems.Add(text);
        }
    }

    /// <summary>The reply codes of the closes the server sent ("channel 404", "connection 501"), to show what the rounds reached.</summary>
    public IReadOnlyList<string> Closes
    {
        get
        {
            lock (_problems)
            {
                return [.. _closes];
            }
        }
    }

    /// <summary>When the reading ended, counted from this transcript's start.</summary>
    public TimeSpan EndedAt { get; private set; }

    private async Task ReadAsync()
    {
        try
        {
            await ReadFramesAsync();
        }
        finally
        {
            EndedAt = _clock.Elapsed;
        }
    }

    private async Task ReadFramesAsync()
    {
        while (true)
        {
            RawFrame? frame;
            try
            {
                // The caller bounds the whole exchange; this only keeps a broken read from waiting forever.
                frame = await _client.ReadFrameAsync(TimeSpan.FromMinutes(2));
            }
            catch (AmqpFrameException error)
            {
                Problem($"the server sent a malformed frame: {error.Message}");
                return;
            }
            catch (Exception error) when (error is ObjectDisposedException or SocketException or IOException or InvalidOperationException or TimeoutException)
            {
                return;
            }
            if (frame is null)
            {
                return;
            }
            Check(frame);
        }
    }

    private void Check(RawFrame frame)
    {
        if (frame.Payload.Length + AmqpFrames.Overhead > _frameMax)
        {
            Problem($"a frame of {frame.Payload.Length} octets exceeds the negotiated frame-max {_frameMax}");
        }
        switch (frame.Type)
        {
            case FrameType.Heartbeat:
                if (frame.Channel != 0 || frame.Payload.Length != 0)
                {
                    Problem($"a heartbeat on channel {frame.Channel} with {frame.Payload.Length} octets");
                }
                return;
            case FrameType.Method:
                CheckMethod(frame);
                return;
            case FrameType.Header:
                if (!_content.TryGetValue(frame.Channel, out var expected) || expected is not null)
                {
                    Problem($"a content header on channel {frame.Channel} where none was due");
                    return;
                }
                try
                {
                    var header = ContentHeader.Decode(frame.Payload);
                    if (header.ClassId != 60)
                    {
                        Problem($"a content header of class {header.ClassId}");
                    }
                    if (header.BodySize == 0)
                    {
                        _content.Remove(frame.Channel);
                    }
                    else
                    {
                        _content[frame.Channel] = header.BodySize;
                    }
                }
                catch (AmqpFrameException error)
                {
                    Problem($"a content header the client cannot decode: {error.Message}");
                }
                return;
            case FrameType.Body:
                if (!_content.TryGetValue(frame.Channel, out var remaining) || remaining is not { } left)
                {
                    Problem($"a body frame on channel {frame.Channel} where none was due");
                    return;
                }
                if (frame.Payload.Length == 0 || (ulong)frame.Payload.Length > left)
                {
                    Problem($"a body frame of {frame.Payload.Length} octets where {left} remained");
                    return;
                }
                if (left == (ulong)frame.Payload.Length)
                {
                    _content.Remove(frame.Channel);
                }
                else
                {
                    _content[frame.Channel] = left - (ulong)frame.Payload.Length;
                }
                return;
            default:
                Problem($"a frame of unknown type {(byte)frame.Type}");
                return;
        }
    }

    private void CheckMethod(RawFrame frame)
    {
        Interlocked.Exchange(ref _lastMethodAt, _clock.Elapsed.Ticks);
        if (_content.ContainsKey(frame.Channel))
        {
            Problem($"a method on channel {frame.Channel} in the middle of a content");
        }
        IAmqpMethod method;
        try
        {
            method = frame.Method;
        }
        catch (AmqpFrameException error)
        {
            Problem($"a method the client cannot decode: {error.Message}");
            return;
        }
        lock (_problems)
        {
            _log.Add($"ch{frame.Channel} {method.Name} {method}");
        }
        if (method is BasicDeliver or BasicGetOk or BasicReturn)
        {
            _content[frame.Channel] = null;
        }
        switch (method)
        {
            case ConnectionClose close:
                ServerClose = close;
                CheckCode(close.ReplyCode, close.ReplyText, "connection");
                if (frame.Channel != 0)
                {
                    Problem($"connection.close on channel {frame.Channel}");
                }
                break;
            case ChannelClose close:
                CheckCode(close.ReplyCode, close.ReplyText, "channel");
                break;
            case ConnectionCloseOk:
                CloseOkReceived = true;
                break;
            case ConnectionStart or ConnectionSecure or ConnectionTune or ConnectionOpenOk or ConnectionBlocked or ConnectionUnblocked or ChannelOpenOk or ChannelFlow
                or ChannelFlowOk or ChannelCloseOk or ExchangeDeclareOk or ExchangeDeleteOk or ExchangeBindOk or ExchangeUnbindOk or QueueDeclareOk or QueueBindOk
                or QueueUnbindOk or QueuePurgeOk or QueueDeleteOk or BasicQosOk or BasicConsumeOk or BasicCancel or BasicCancelOk or BasicReturn or BasicDeliver
                or BasicGetOk or BasicGetEmpty or BasicAck or BasicNack or BasicRecoverOk or ConfirmSelectOk or TxSelectOk or TxCommitOk or TxRollbackOk:
                break;
            default:
                Problem($"the server sent {method.Name}, a method only a client sends");
                break;
        }
    }

    private void CheckCode(ushort code, string text, string scope)
    {
        lock (_problems)
        {
            _closes.Add($"{scope} {code}");
        }
        if (code == 541)
        {
            Problem($"INTERNAL_ERROR: the {scope} closed with 541 \"{text}\"");
        }
        else if (!ErrorCodes.Contains(code))
        {
            Problem($"the {scope} closed with {code} \"{text}\", not a protocol error's code");
        }
        else if (scope == "channel" && code > 406 || scope == "connection" && code < 500)
        {
            Problem($"the {scope} closed with {code} \"{text}\", a code that closes the {(scope == "channel" ? "connection" : "channel")}");
        }
    }
}

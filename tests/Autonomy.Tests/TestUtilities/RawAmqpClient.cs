using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// An AMQP 0-9-1 client that sends exactly the octets a test asks for and reads every frame the server sends, for
/// the handshake and for protocol errors that a real client library would never produce.
/// </summary>
internal sealed class RawAmqpClient : IAsyncDisposable
{
    private readonly Socket? _socket;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly FrameWriter _frames = new();

    private RawAmqpClient(Socket? socket, PipeReader input, PipeWriter output)
    {
        _socket = socket;
        _input = input;
        _output = output;
    }

    /// <summary>The tune the server proposed, once the handshake got that far.</summary>
    public ConnectionTune Tune { get; private set; }

    public ConnectionStart Start { get; private set; }

    public static async Task<RawAmqpClient> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var stream = new NetworkStream(socket, ownsSocket: false);
        return new RawAmqpClient(socket, PipeReader.Create(stream), PipeWriter.Create(stream));
    }

    public static RawAmqpClient Over(IDuplexPipe pipe) => new(null, pipe.Input, pipe.Output);

    public async Task SendAsync(ReadOnlyMemory<byte> octets)
    {
        await _output.WriteAsync(octets);
    }

    public Task SendHeaderAsync() => SendAsync(ProtocolHeader.Bytes.ToArray());

    public async Task SendMethodAsync<T>(ushort channel, T method) where T : IAmqpMethod
    {
        _frames.WriteMethod(_output, channel, method);
        await _output.FlushAsync();
    }

    /// <summary>Any frame, well-formed or not: type, channel, the size written (the payload's unless given) and the end octet.</summary>
    public async Task SendFrameAsync(byte type, ushort channel, byte[] payload, uint? size = null, byte end = 0xCE)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), channel);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(3), size ?? (uint)payload.Length);
        payload.CopyTo(frame, 7);
        frame[^1] = end;
        await SendAsync(frame);
    }

    /// <summary>basic.publish with its header and body frames (split at <paramref name="frameMax"/>).</summary>
    public async Task PublishAsync(ushort channel, string exchange, string routingKey, byte[] body, MessageProperties? properties = null,
        bool mandatory = false, uint frameMax = 131072)
    {
        _frames.WriteContent(_output, channel, new BasicPublish(exchange, routingKey, mandatory, false), properties ?? MessageProperties.Empty,
            new ReadOnlySequence<byte>(body), frameMax);
        await _output.FlushAsync();
    }

    /// <summary>The next frame, or null once the server closed the connection; heartbeats included.</summary>
    public async Task<RawFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no frame from the server in time");
            }
            catch (IOException)
            {
                return null;
            }
            var buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, 0, out var frame))
            {
                var read = new RawFrame(frame.Type, frame.Channel, frame.Payload.ToArray());
                _input.AdvanceTo(buffer.Start);
                return read;
            }
            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Raw octets: what a server answers a wrong protocol header with.</summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var all = new List<byte>();
        while (true)
        {
            var result = await _input.ReadAsync(cts.Token);
            all.AddRange(result.Buffer.ToArray());
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return [.. all];
            }
        }
    }

    /// <summary>The next method, skipping heartbeats and the content frames of earlier ones; fails at the end of the connection.</summary>
    public async Task<IAmqpMethod> ReadMethodAsync(TimeSpan? timeout = null)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(timeout) ?? throw new InvalidOperationException("the server closed the connection");
            if (frame.Type == FrameType.Method)
            {
                return frame.Method;
            }
        }
    }

    public async Task<T> ExpectAsync<T>(TimeSpan? timeout = null) where T : IAmqpMethod
    {
        var method = await ReadMethodAsync(timeout);
        return method is T expected ? expected : throw new Xunit.Sdk.XunitException($"expected {typeof(T).Name}, got {method.Name} {method}");
    }

    /// <summary>True when the server hangs up within the timeout (frames before that are skipped).</summary>
    public async Task<bool> ClosedAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReadFrameAsync(timeout ?? TimeSpan.FromSeconds(10)) is not null)
            {
            }
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Header, start-ok, tune-ok and open, each as given; returns what the server answered open with.</summary>
    public async Task<IAmqpMethod> HandshakeAsync(string user, string password, string vhost, string mechanism = "PLAIN", ushort heartbeat = 0,
        uint frameMax = 131072, ushort channelMax = 2047, bool capabilities = true)
    {
        await SendHeaderAsync();
        Start = await ExpectAsync<ConnectionStart>();
        var clientProperties = new FieldTable { { "product", "raw test client" } };
        if (capabilities)
        {
            clientProperties.Add("capabilities", new FieldTable
            {
                { "authentication_failure_close", true },
                { "consumer_cancel_notify", true },
                { "connection.blocked", true },
            });
        }
        await SendMethodAsync(0, new ConnectionStartOk(clientProperties, mechanism, Response(mechanism, user, password), "en_US"));
        var answer = await ReadMethodAsync();
        if (answer is not ConnectionTune tune)
        {
            return answer;
        }
        Tune = tune;
        await SendMethodAsync(0, new ConnectionTuneOk(channelMax, frameMax, heartbeat));
        await SendMethodAsync(0, new ConnectionOpen(vhost));
        return await ReadMethodAsync();
    }

    /// <summary>A handshake that must succeed, then channel 1 opened.</summary>
    public async Task OpenAsync(string user, string password, string vhost, ushort heartbeat = 0)
    {
        Assert.IsType<ConnectionOpenOk>(await HandshakeAsync(user, password, vhost, heartbeat: heartbeat));
        await SendMethodAsync(1, new ChannelOpen());
        await ExpectAsync<ChannelOpenOk>();
    }

    public static byte[] Response(string mechanism, string user, string password)
    {
        if (mechanism != "AMQPLAIN")
        {
            return Encoding.UTF8.GetBytes($"\0{user}\0{password}");
        }
        var table = new ArrayBufferWriter<byte>();
        FieldTableCodec.Write(new FieldTable { { "LOGIN", user }, { "PASSWORD", password } }, table);
        return table.WrittenSpan[4..].ToArray();
    }

    /// <summary>Drops the socket at once, without a close frame, as a client that crashed would.</summary>
    public void Abort() => _socket?.Dispose();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _output.CompleteAsync();
        }
        catch (IOException)
        {
            // The server closed the connection first (as it must after a protocol error): what was left unsent has
            // nowhere to go, and that is not the test's failure.
        }
        await _input.CompleteAsync();
        _socket?.Dispose();
    }
}

/// <summary>A frame as the server sent it.</summary>
internal sealed record RawFrame(FrameType Type, ushort Channel, byte[] Payload)
{
    public IAmqpMethod Method => MethodCodec.Decode(Payload);
}

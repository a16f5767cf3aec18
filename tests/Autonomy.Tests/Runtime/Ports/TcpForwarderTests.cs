using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Runtime.Ports;

namespace Autonomy.Tests.Runtime.Ports;

// Real sockets on loopback, port 0 everywhere: the backends are tiny TCP servers defined at the bottom of this file.
public sealed class TcpForwarderTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    private readonly List<IAsyncDisposable> _cleanup = [];

    [Fact]
    public async Task Echoes_through_the_forwarder()
    {
        var backend = StartBackend(Echo);
        var forwarder = StartForwarder(() => [backend.EndPoint]);

        using var client = await ConnectAsync(forwarder);
        await client.SendAsync("hello"u8.ToArray());

        Assert.Equal("hello", await ReceiveTextAsync(client, 5));
        Assert.Equal(1, forwarder.TotalConnections);
    }

    [Fact]
    public async Task Spreads_connections_round_robin()
    {
        var backends = Enumerable.Range(0, 3).Select(id => StartBackend(AnswerAndClose(id.ToString()))).ToArray();
        var forwarder = StartForwarder(() => [.. backends.Select(b => b.EndPoint)]);

        var answers = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await AskAsync(forwarder));
        }

        Assert.Equal(["0", "1", "2", "0", "1", "2"], answers);
    }

    [Fact]
    public async Task A_backend_taken_out_of_the_list_gets_no_new_connections_but_keeps_its_open_one()
    {
        var echo = StartBackend(Echo);
        var other = StartBackend(AnswerAndClose("other"));
        IPEndPoint[] healthy = [echo.EndPoint, other.EndPoint];
        var forwarder = StartForwarder(() => Volatile.Read(ref healthy));

        using var established = await ConnectAsync(forwarder);
        await established.SendAsync("before"u8.ToArray());
        Assert.Equal("before", await ReceiveTextAsync(established, 6));

        Volatile.Write(ref healthy, [other.EndPoint]);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("other", await AskAsync(forwarder));
        }

        await established.SendAsync("after"u8.ToArray());
        Assert.Equal("after", await ReceiveTextAsync(established, 5));
        Assert.Equal(1, echo.Accepted);
    }

    [Fact]
    public async Task Skips_a_backend_that_refuses()
    {
        // Bound but not listening: connections to it are refused, and the port cannot be reused meanwhile.
        using var refusing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        refusing.Bind(AnyLoopbackPort);
        var good = StartBackend(AnswerAndClose("good"));
        var forwarder = StartForwarder(() => [(IPEndPoint)refusing.LocalEndPoint!, good.EndPoint]);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("good", await AskAsync(forwarder));
        }
    }

    [Fact]
    public async Task Gives_up_on_a_backend_that_does_not_answer_and_tries_the_next()
    {
        // A listener that never accepts, with a backlog of 0: once one connection waits in its queue, the kernel drops
        // further handshakes, so connecting hangs the way it does to a stopped process.
        using var hung = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        hung.Bind(AnyLoopbackPort);
        hung.Listen(0);
        var hungEndPoint = (IPEndPoint)hung.LocalEndPoint!;
        var fillers = Enumerable.Range(0, 2).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToList();
        try
        {
            var filling = fillers.Select(f => f.ConnectAsync(hungEndPoint)).ToList();
            await Task.WhenAny(filling);
            var good = StartBackend(AnswerAndClose("good"));
            var timeout = TimeSpan.FromMilliseconds(500);
            var forwarder = StartForwarder(() => [hungEndPoint, good.EndPoint], timeout);

            var started = DateTime.UtcNow;
            Assert.Equal("good", await AskAsync(forwarder));
            Assert.True(DateTime.UtcNow - started >= timeout * 0.9, "the hung backend was not waited for");
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task Closes_the_client_when_no_backend_is_healthy()
    {
        var forwarder = StartForwarder(() => []);

        for (var i = 0; i < 3; i++)
        {
            // The reset may come so quickly that the client sees it as the outcome of connecting.
            try
            {
                using var client = await ConnectAsync(forwarder);
                Assert.True(await IsClosedAsync(client));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
            }
        }
        Assert.Equal(3, forwarder.TotalConnections);
        await Eventually(() => forwarder.ActiveConnections == 0);
    }

    [Fact]
    public async Task Carries_megabytes_both_ways_intact()
    {
        var backend = StartBackend(Echo);
        var forwarder = StartForwarder(() => [backend.EndPoint]);
        var payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);

        using var client = await ConnectAsync(forwarder);
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length;)
            {
                offset += await client.SendAsync(payload.AsMemory(offset, Math.Min(100_000, payload.Length - offset)));
            }
            client.Shutdown(SocketShutdown.Send);
        });
        var echoed = await ReceiveToEndAsync(client);
        await sending;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task Passes_a_half_close_on_and_still_delivers_the_answer()
    {
        var backend = StartBackend(CountUntilEndThenAnswer);
        var forwarder = StartForwarder(() => [backend.EndPoint]);

        using var client = await ConnectAsync(forwarder);
        await client.SendAsync(new byte[12345]);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 12345 bytes", Encoding.ASCII.GetString(await ReceiveToEndAsync(client)));
    }

    [Fact]
    public void Reports_a_port_taken_by_someone_else()
    {
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(AnyLoopbackPort);
        squatter.Listen();
        var taken = (IPEndPoint)squatter.LocalEndPoint!;
        var forwarder = new TcpForwarder(taken, () => []);
        _cleanup.Add(forwarder);

        var error = Assert.Throws<PortInUseException>(forwarder.Start);

        Assert.Equal(taken, error.EndPoint);
        Assert.Contains($"127.0.0.1:{taken.Port}", error.Message);
        Assert.Contains("another host port", error.Message);
    }

    [Fact]
    public async Task Dispose_closes_open_connections()
    {
        var backend = StartBackend(Echo);
        var forwarder = StartForwarder(() => [backend.EndPoint]);
        var listening = forwarder.LocalEndPoint;
        using var client = await ConnectAsync(forwarder);
        await client.SendAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReceiveTextAsync(client, 4));

        await forwarder.DisposeAsync().AsTask().WaitAsync(Patience);

        Assert.True(await IsClosedAsync(client));
        Assert.Equal(0, forwarder.ActiveConnections);
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(listening));
    }

    [Fact]
    public async Task Serves_many_connections_at_once()
    {
        const int Clients = 200;
        var backends = Enumerable.Range(0, 3).Select(_ => StartBackend(Echo)).ToArray();
        var forwarder = StartForwarder(() => [.. backends.Select(b => b.EndPoint)]);

        var clients = Enumerable.Range(0, Clients).Select(async i =>
        {
            using var client = await ConnectAsync(forwarder);
            var message = $"client {i:000}";
            await client.SendAsync(Encoding.ASCII.GetBytes(message));
            return await ReceiveTextAsync(client, message.Length) == message;
        });
        var results = await Task.WhenAll(clients);

        Assert.All(results, Assert.True);
        Assert.Equal(Clients, forwarder.TotalConnections);
        await Eventually(() => forwarder.ActiveConnections == 0);
        Assert.Equal(Clients, backends.Sum(b => b.Accepted));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var resource in Enumerable.Reverse(_cleanup))
        {
            await resource.DisposeAsync();
        }
    }

    /// <param name="connectTimeout">
    /// Generous unless a test is about it: the test host keeps some thread-pool threads blocked, and on a small machine a
    /// connect's completion can wait long enough in the queue to pass for a hung backend.
    /// </param>
    private TcpForwarder StartForwarder(Func<IReadOnlyList<IPEndPoint>> backends, TimeSpan? connectTimeout = null)
    {
        var forwarder = new TcpForwarder(AnyLoopbackPort, backends, connectTimeout: connectTimeout ?? Patience);
        _cleanup.Add(forwarder);
        forwarder.Start();
        return forwarder;
    }

    private Backend StartBackend(Func<Socket, Task> serve)
    {
        var backend = new Backend(serve);
        _cleanup.Add(backend);
        return backend;
    }

    private static Task<Socket> ConnectAsync(TcpForwarder forwarder) => ConnectAsync(forwarder.LocalEndPoint);

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint).WaitAsync(Patience);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects, reads the backend's whole answer and closes.</summary>
    private static async Task<string> AskAsync(TcpForwarder forwarder)
    {
        using var client = await ConnectAsync(forwarder);
        return Encoding.ASCII.GetString(await ReceiveToEndAsync(client));
    }

    private static async Task<string> ReceiveTextAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        for (var received = 0; received < length;)
        {
            var count = await socket.ReceiveAsync(buffer.AsMemory(received)).AsTask().WaitAsync(Patience);
            Assert.NotEqual(0, count);
            received += count;
        }
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<byte[]> ReceiveToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Patience) is var count and > 0)
        {
            all.Write(buffer, 0, count);
        }
        return all.ToArray();
    }

    /// <summary>True when the peer closed or reset the connection without sending anything.</summary>
    private static async Task<bool> IsClosedAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[1].AsMemory()).AsTask().WaitAsync(Patience) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in time");
            await Task.Delay(10);
        }
    }

    private static async Task Echo(Socket connection)
    {
        var buffer = new byte[64 * 1024];
        while (await connection.ReceiveAsync(buffer) is var count and > 0)
        {
            for (var sent = 0; sent < count;)
            {
                sent += await connection.SendAsync(buffer.AsMemory(sent, count - sent));
            }
        }
        connection.Shutdown(SocketShutdown.Send);
    }

    private static Func<Socket, Task> AnswerAndClose(string answer) => async connection =>
    {
        await connection.SendAsync(Encoding.ASCII.GetBytes(answer));
        connection.Shutdown(SocketShutdown.Send);
    };

    private static async Task CountUntilEndThenAnswer(Socket connection)
    {
        var buffer = new byte[4096];
        var total = 0;
        while (await connection.ReceiveAsync(buffer) is var count and > 0)
        {
            total += count;
        }
        await connection.SendAsync(Encoding.ASCII.GetBytes($"got {total} bytes"));
        connection.Shutdown(SocketShutdown.Send);
    }

    /// <summary>A loopback TCP server that runs <c>serve</c> on each connection, then closes it.</summary>
    private sealed class Backend : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Func<Socket, Task> _serve;
        private readonly ConcurrentBag<Task> _connections = [];
        private readonly ConcurrentBag<Socket> _sockets = [];
        private readonly Task _acceptLoop;
        private int _accepted;

        public Backend(Func<Socket, Task> serve)
        {
            _serve = serve;
            _listener.Bind(AnyLoopbackPort);
            _listener.Listen(512);
            EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            // Off xunit's synchronization context, whose few threads the other tests share.
            _acceptLoop = Task.Run(AcceptLoopAsync);
        }

        public IPEndPoint EndPoint { get; }

        public int Accepted => Volatile.Read(ref _accepted);

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            await _acceptLoop;
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
            await Task.WhenAll(_connections).WaitAsync(Patience);
        }

        private async Task AcceptLoopAsync()
        {
            while (true)
            {
                Socket connection;
                try
                {
                    connection = await _listener.AcceptAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref _accepted);
                _sockets.Add(connection);
                _connections.Add(ServeAsync(connection));
            }
        }

        private async Task ServeAsync(Socket connection)
        {
            try
            {
                await _serve(connection);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The forwarder or the test closed the connection first.
            }
            finally
            {
                connection.Dispose();
            }
        }
    }
}

using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;
using Autonomy.Server.Messaging.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>
/// A real broker in a temporary directory (on the real disk unless a test gives another file layer), with a vhost
/// "test", reopened at will to check what survives a restart.
/// </summary>
internal sealed class TestBroker : IAsyncDisposable
{
    private readonly Func<BrokerOptions, BrokerOptions> _configure;

    private TestBroker(string directory, ILogFileSystem files, FakeTimeProvider? time, Func<BrokerOptions, BrokerOptions> configure)
    {
        Directory = directory;
        Files = files;
        Time = time;
        _configure = configure;
    }

    public string Directory { get; }

    public ILogFileSystem Files { get; }

    /// <summary>The fake clock, when the test asked for one.</summary>
    public FakeTimeProvider? Time { get; }

    public Broker Broker { get; private set; } = null!;

    public VirtualHost Vhost => Broker.GetVirtualHost("test");

    public static async Task<TestBroker> StartAsync(FakeTimeProvider? time = null, ILogFileSystem? files = null,
        Func<BrokerOptions, BrokerOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "autonomy-broker-" + Guid.NewGuid().ToString("N")[..12]);
        var broker = new TestBroker(directory, files ?? new OsLogFileSystem(), time, configure ?? (o => o));
        await broker.OpenAsync();
        await broker.Broker.DeclareVirtualHostAsync("test");
        return broker;
    }

    /// <summary>A clock that starts at a round time, for tests of TTLs, delays and backoff.</summary>
    public static FakeTimeProvider FakeClock() => new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public async Task OpenAsync()
    {
        var options = new BrokerOptions { Directory = Directory, Files = Files, SegmentBytes = 1 << 20 };
        if (Time is not null)
        {
            options = options with { Time = Time };
        }
        Broker = await Broker.OpenAsync(_configure(options));
    }

    /// <summary>A clean restart: dispose (which returns what was out) and open again.</summary>
    public async Task RestartAsync()
    {
        await Broker.DisposeAsync();
        await OpenAsync();
    }

    public Task<QueueInfo> QueueAsync(string name, FieldTable? arguments = null, bool durable = true) =>
        Vhost.DeclareQueueAsync(new QueueDeclaration(name, Durable: durable, Arguments: arguments));

    public ValueTask<PublishOutcome> PublishAsync(string queue, string body, MessageProperties? properties = null) =>
        Vhost.PublishAsync("", queue, properties ?? Persistent, Bytes(body));

    public static MessageProperties Persistent { get; } = new() { DeliveryMode = 2 };

    public static byte[] Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    public static string Text(Delivery delivery) => System.Text.Encoding.UTF8.GetString(delivery.Body.Span);

    /// <summary>Every ready message of a queue, taken and acked, as text.</summary>
    public async Task<List<string>> DrainAsync(string queue)
    {
        await using var session = Vhost.OpenSession();
        var bodies = new List<string>();
        while (await session.GetAsync(queue, noAck: true) is { } delivery)
        {
            bodies.Add(Text(delivery));
        }
        return bodies;
    }

    /// <summary>Moves the fake clock and lets the timers' work run.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time!.Advance(by);
        await Task.Delay(20);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Broker.DisposeAsync();
        }
        finally
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}

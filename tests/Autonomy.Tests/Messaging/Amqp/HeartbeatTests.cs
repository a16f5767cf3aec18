using Autonomy.Server.Messaging.Amqp;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace Autonomy.Tests.Messaging.Amqp;

public sealed class HeartbeatTests
{
    [Fact]
    public async Task An_idle_connection_gets_a_heartbeat_every_half_period_and_none_while_traffic_flows()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await AmqpBrokerHost.StartAsync(new AmqpOptions { Time = time }, listen: false);
        var (pipe, run) = host.ConnectInMemory();
        await using var client = RawAmqpClient.Over(pipe);
        await client.OpenAsync("svc", host.Password, "svc", heartbeat: 10);
        time.Advance(TimeSpan.FromSeconds(5));
        // The open-ok and open went out within this half period; the next tick finds the connection idle.
        time.Advance(TimeSpan.FromSeconds(5));
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Autonomy.Server.Messaging.Amqp.FrameType.Heartbeat, frame!.Type);
        Assert.Equal(0, frame.Channel);
        for (var i = 0; i < 6; i++)
        {
            // A client that keeps talking (and is answered) is never sent a heartbeat nor dropped.
            await client.SendMethodAsync(1, new ChannelFlow(true));
            Assert.IsType<ChannelFlowOk>(await client.ReadMethodAsync());
            time.Advance(TimeSpan.FromSeconds(5));
        }
        await client.SendMethodAsync(1, new ChannelFlow(true));
        var next = await client.ReadFrameAsync();
        Assert.Equal(Autonomy.Server.Messaging.Amqp.FrameType.Method, next!.Type);
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task A_silent_client_is_dropped_after_two_periods_without_a_close_frame()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = await AmqpBrokerHost.StartAsync(new AmqpOptions { Time = time }, listen: false);
        var (pipe, run) = host.ConnectInMemory();
        await using var client = RawAmqpClient.Over(pipe);
        await client.OpenAsync("svc", host.Password, "svc", heartbeat: 10);
        await host.Vhost.DeclareQueueAsync(new Autonomy.Server.Messaging.Model.QueueDeclaration("q"));
        await client.SendMethodAsync(1, new BasicConsume("q", "c", false, false, false, false, new()));
        await client.ExpectAsync<BasicConsumeOk>();
        await host.Vhost.PublishAsync("", "q", new Autonomy.Server.Messaging.Model.MessageProperties(), new byte[] { 1 });
        Assert.IsType<BasicDeliver>(await client.ReadMethodAsync());
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
        }
        Assert.False(run.IsCompleted, "dropped before two heartbeat periods of silence");
        time.Advance(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        // Dropped without connection.close, and its unacknowledged message is back in the queue.
        while (await client.ReadFrameAsync() is { } frame)
        {
            Assert.NotEqual(Autonomy.Server.Messaging.Amqp.FrameType.Method, frame.Type);
        }
        await Eventually.TrueAsync(() => host.Vhost.GetQueue("q").Ready == 1, "the unacknowledged message is ready again");
        Assert.Equal(0, host.Server.UnexpectedErrors);
    }

    [Fact]
    public async Task A_real_one_second_heartbeat_keeps_an_answering_client_and_drops_a_silent_one()
    {
        await using var host = await AmqpBrokerHost.StartAsync();
        await using var client = await RawAmqpClient.ConnectAsync(host.Port);
        await client.OpenAsync("svc", host.Password, "svc", heartbeat: 1);
        // The server sends heartbeats on its own; answering them keeps the connection.
        for (var i = 0; i < 3; i++)
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(Autonomy.Server.Messaging.Amqp.FrameType.Heartbeat, frame!.Type);
            await client.SendFrameAsync(8, 0, []);
        }
        // Then silence: dropped within about two seconds.
        var started = Environment.TickCount64;
        Assert.True(await client.ClosedAsync(TimeSpan.FromSeconds(15)));
        Assert.InRange(Environment.TickCount64 - started, 1000, 15000);
    }
}

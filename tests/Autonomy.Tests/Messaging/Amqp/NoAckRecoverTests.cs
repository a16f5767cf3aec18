using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// A no-ack consumer's deliveries are the broker's to settle once they are flushed; until then the session holds
/// them. basic.recover must not take them back: RabbitMQ never delivers a no-ack message twice.
/// </summary>
public sealed class NoAckRecoverTests
{
    [Fact]
    public async Task Recover_does_not_deliver_no_ack_messages_again_that_were_written_but_not_yet_flushed()
    {
        const int count = 600;
        await using var host = await AmqpBrokerHost.StartAsync(listen: false);
        await host.Vhost.DeclareQueueAsync(new QueueDeclaration("q"));
        for (var i = 0; i < count; i++)
        {
            await host.Vhost.PublishAsync("", "q", new MessageProperties { MessageId = $"m{i}" }, new byte[1024]);
        }
        var (pipe, run) = host.ConnectInMemory();
        var client = RawAmqpClient.Over(pipe);
        await client.OpenAsync("svc", host.Password, "svc");
        await client.SendMethodAsync(1, new BasicConsume("q", "", false, true, false, false, new FieldTable()));
        await client.ExpectAsync<BasicConsumeOk>();
        // Not reading: the in-memory pipe stops taking output at 64 KiB, so later deliveries are written and not flushed.
        await Eventually.TrueAsync(() => host.Vhost.GetQueue("q").Unacked >= 100, "deliveries wait for a flush");
        await client.SendMethodAsync(1, new BasicRecover(true));

        var ids = new List<string>();
        var redelivered = 0;
        var recovered = false;
        while (!recovered || ids.Distinct().Count() < count)
        {
            var frame = await client.ReadFrameAsync() ?? throw new InvalidOperationException("closed");
            recovered |= frame.Type == FrameType.Method && frame.Method is BasicRecoverOk;
            if (frame.Type == FrameType.Method && frame.Method is BasicDeliver { Redelivered: true })
            {
                redelivered++;
            }
            if (frame.Type == FrameType.Header)
            {
                ids.Add(ContentHeader.Decode(frame.Payload).Properties.MessageId!);
            }
        }
        await Eventually.TrueAsync(() => host.Vhost.GetQueue("q").Messages == 0, "every delivery is settled");
        // Whatever was written is ahead of qos-ok.
        await client.SendMethodAsync(1, new BasicQos(0, 0, false));
        while (true)
        {
            var frame = await client.ReadFrameAsync() ?? throw new InvalidOperationException("closed");
            if (frame.Type == FrameType.Method && frame.Method is BasicQosOk)
            {
                break;
            }
            if (frame.Type == FrameType.Header)
            {
                ids.Add(ContentHeader.Decode(frame.Payload).Properties.MessageId!);
            }
        }
        Assert.Equal(0, redelivered);
        Assert.Equal(count, ids.Count);
        await client.SendMethodAsync(0, new ConnectionClose(200, "", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
        await client.DisposeAsync();
        await run;
        Assert.Equal(0, host.Server.UnexpectedErrors);
    }
}

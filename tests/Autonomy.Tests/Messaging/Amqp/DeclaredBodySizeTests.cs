using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// The body size a content header declares is only the peer's word: the listener holds memory for what actually
/// arrives, so headers declaring large bodies that never come cannot exhaust the server, and bodies spread over many
/// frames still arrive whole. Run apart from the rest, since the allocation counter it reads is the whole process's.
/// </summary>
[Collection(nameof(DeclaredBodySizeTests))]
public sealed class DeclaredBodySizeTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync();

    public async Task DisposeAsync()
    {
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0, "every connection ended");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
        await _host.DisposeAsync();
    }

    private async Task<RawAmqpClient> ConnectAsync(uint frameMax)
    {
        var client = await RawAmqpClient.ConnectAsync(_host.Port);
        Assert.IsType<ConnectionOpenOk>(await client.HandshakeAsync("svc", _host.Password, "svc", frameMax: frameMax));
        return client;
    }

    [Fact]
    public async Task Headers_declaring_large_bodies_that_never_come_reserve_no_memory_for_them()
    {
        const ulong declared = 120L << 20;
        const int channels = 4;
        await using var client = await ConnectAsync(131072);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (ushort channel = 1; channel <= channels; channel++)
        {
            await client.SendMethodAsync(channel, new ChannelOpen());
            await client.ExpectAsync<ChannelOpenOk>();
            await client.SendMethodAsync(channel, new BasicPublish("", "q", false, false));
            // Class 60, weight 0, the declared body size, no properties; then one octet of the body, and no more.
            var header = new byte[14];
            header[1] = 60;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(4), declared);
            await client.SendFrameAsync(2, channel, header);
            await client.SendFrameAsync(3, channel, [7]);
        }
        // The reader handles frames in order: once this is answered, every header above was taken in.
        await client.SendMethodAsync(channels + 1, new ChannelOpen());
        await client.ExpectAsync<ChannelOpenOk>();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        // Reserving what the headers declare would be 480 MiB; what arrived is a few octets (the rest is the test's and the suite's own).
        Assert.True(allocated < (long)declared, $"{allocated >> 20} MiB were allocated while {channels} headers declared {declared >> 20} MiB each");
        await client.SendMethodAsync(0, new ConnectionClose(200, "", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
    }

    [Fact]
    public async Task A_body_over_many_small_frames_arrives_whole()
    {
        await _host.Vhost.DeclareQueueAsync(new QueueDeclaration("whole"));
        await using var client = await ConnectAsync(4096);
        await client.SendMethodAsync(1, new ChannelOpen());
        await client.ExpectAsync<ChannelOpenOk>();
        var body = new byte[300_000];
        Random.Shared.NextBytes(body);
        await client.SendMethodAsync(1, new ConfirmSelect(false));
        await client.ExpectAsync<ConfirmSelectOk>();
        await client.PublishAsync(1, "", "whole", body, new MessageProperties { MessageId = "m" }, frameMax: 4096);
        await client.ExpectAsync<BasicAck>();
        var stored = Assert.Single(await _host.Vhost.PeekAsync("whole", 2));
        Assert.True(stored.Body.Span.SequenceEqual(body));
        Assert.Equal("m", stored.Properties.MessageId);
        await client.SendMethodAsync(0, new ConnectionClose(200, "", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
    }

    [CollectionDefinition(nameof(DeclaredBodySizeTests), DisableParallelization = true)]
    public sealed class Alone;
}

using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>Each protocol error gets the reply code, text, class and method RabbitMQ closes with, on the channel or the connection.</summary>
public sealed class ProtocolErrorTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync(new AmqpOptions { CloseTimeout = TimeSpan.FromSeconds(1), MaxMessageSize = 1000 });

    public async Task DisposeAsync()
    {
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0, "every connection ended");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
        Assert.Equal(0, _host.Server.OpenSessions("svc"));
        await _host.DisposeAsync();
    }

    private async Task<RawAmqpClient> OpenAsync()
    {
        var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        return client;
    }

    private static async Task ExpectConnectionCloseAsync(RawAmqpClient client, ushort code, string text, ushort classId, ushort methodId)
    {
        var close = await client.ExpectAsync<ConnectionClose>();
        Assert.Equal(new ConnectionClose(code, text, classId, methodId), close);
        await client.SendMethodAsync(0, new ConnectionCloseOk());
        Assert.True(await client.ClosedAsync());
    }

    private static async Task ExpectChannelCloseAsync(RawAmqpClient client, ushort code, string text, ushort classId, ushort methodId)
    {
        var close = await client.ExpectAsync<ChannelClose>();
        Assert.Equal(new ChannelClose(code, text, classId, methodId), close);
    }

    [Fact]
    public async Task A_bad_frame_end_is_501_and_the_connection_closes()
    {
        await using var client = await OpenAsync();
        await client.SendFrameAsync(8, 0, [], end: 0x00);
        var close = await client.ExpectAsync<ConnectionClose>();
        Assert.Equal((501, 0, 0), (close.ReplyCode, close.FailingClassId, close.FailingMethodId));
        Assert.StartsWith("FRAME_ERROR - ", close.ReplyText);
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task A_frame_larger_than_frame_max_is_501_before_its_payload_arrives()
    {
        await using var client = await OpenAsync();
        await client.SendFrameAsync(1, 1, [], size: 200_000);
        var close = await client.ExpectAsync<ConnectionClose>();
        Assert.Equal(501, close.ReplyCode);
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task An_unknown_frame_type_is_501()
    {
        await using var client = await OpenAsync();
        await client.SendFrameAsync(9, 0, []);
        Assert.Equal(501, (await client.ExpectAsync<ConnectionClose>()).ReplyCode);
    }

    [Fact]
    public async Task A_heartbeat_on_a_channel_is_505()
    {
        await using var client = await OpenAsync();
        await client.SendFrameAsync(8, 1, []);
        await ExpectConnectionCloseAsync(client, 505, "UNEXPECTED_FRAME - heartbeat on channel 1", 0, 0);
    }

    [Fact]
    public async Task A_body_frame_where_a_method_belongs_is_505()
    {
        await using var client = await OpenAsync();
        await client.SendFrameAsync(3, 1, [1, 2, 3]);
        await ExpectConnectionCloseAsync(client, 505, "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0, 0);
    }

    [Fact]
    public async Task A_method_where_a_content_header_belongs_is_505()
    {
        await using var client = await OpenAsync();
        await client.SendMethodAsync(1, new BasicPublish("", "q", false, false));
        await client.SendMethodAsync(1, new BasicQos(0, 1, false));
        await ExpectConnectionCloseAsync(client, 505, "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead", 60, 40);
    }

    [Fact]
    public async Task A_method_on_an_unopened_channel_is_504_and_a_second_open_is_504()
    {
        await using (var client = await OpenAsync())
        {
            await client.SendMethodAsync(2, new BasicQos(0, 1, false));
            await ExpectConnectionCloseAsync(client, 504, "CHANNEL_ERROR - expected 'channel.open'", 60, 10);
        }
        await using (var client = await OpenAsync())
        {
            await client.SendMethodAsync(1, new ChannelOpen());
            await ExpectConnectionCloseAsync(client, 504, "CHANNEL_ERROR - second 'channel.open' seen", 20, 10);
        }
    }

    [Fact]
    public async Task A_channel_above_channel_max_is_530()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        Assert.IsType<ConnectionOpenOk>(await client.HandshakeAsync("svc", _host.Password, "svc", channelMax: 2));
        await client.SendMethodAsync(3, new ChannelOpen());
        await ExpectConnectionCloseAsync(client, 530, "NOT_ALLOWED - number of channels opened (0) has reached the negotiated channel_max (2)", 20, 10);
    }

    [Fact]
    public async Task A_channel_error_discards_frames_until_close_ok_and_the_number_can_be_opened_again()
    {
        await using var client = await OpenAsync();
        await client.SendMethodAsync(1, new QueueDeclare("missing", true, false, false, false, false, new()));
        await ExpectChannelCloseAsync(client, 404, "NOT_FOUND - no queue 'missing' in vhost 'svc'", 50, 10);
        // Discarded: no answer comes for this declare, and a crossing close is answered.
        await client.SendMethodAsync(1, new QueueDeclare("q", false, false, false, false, false, new()));
        await client.SendMethodAsync(1, new ChannelClose(200, "", 0, 0));
        await client.ExpectAsync<ChannelCloseOk>();
        await client.SendMethodAsync(1, new ChannelCloseOk());
        await client.SendMethodAsync(1, new ChannelOpen());
        await client.ExpectAsync<ChannelOpenOk>();
        Assert.False(_host.Vhost.TryGetQueue("q", out _));
    }

    [Theory]
    [InlineData("publish to a missing exchange", 404, "NOT_FOUND - no exchange 'nowhere' in vhost 'svc'", 60, 40)]
    [InlineData("publish to an internal exchange", 403, "ACCESS_REFUSED - cannot publish to internal exchange 'inside' in vhost 'svc'", 60, 40)]
    [InlineData("body above max size", 406, "PRECONDITION_FAILED - message size 2000 is larger than configured max size 1000", 60, 40)]
    [InlineData("user-id of another", 406, "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'svc'", 60, 40)]
    [InlineData("ack of an unknown tag", 406, "PRECONDITION_FAILED - unknown delivery tag 7", 60, 80)]
    [InlineData("consume from nothing declared", 404, "NOT_FOUND - no previously declared queue", 60, 20)]
    [InlineData("declare amq.*", 403, "ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*' in vhost 'svc'", 40, 10)]
    [InlineData("commit without select", 406, "PRECONDITION_FAILED - channel is not transactional", 90, 20)]
    [InlineData("tx after confirm", 406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode", 90, 10)]
    public async Task Channel_errors_close_the_channel_with_RabbitMQs_code_and_text(string situation, int code, string text, int classId, int methodId)
    {
        await _host.Vhost.DeclareExchangeAsync(new ExchangeDeclaration("inside", ExchangeKind.Direct, Internal: true));
        await using var client = await OpenAsync();
        switch (situation)
        {
            case "publish to a missing exchange":
                await client.PublishAsync(1, "nowhere", "k", [1]);
                break;
            case "publish to an internal exchange":
                await client.PublishAsync(1, "inside", "k", [1]);
                break;
            case "body above max size":
                await client.PublishAsync(1, "", "k", new byte[2000]);
                break;
            case "user-id of another":
                await client.PublishAsync(1, "", "k", [1], new MessageProperties { UserId = "mallory" });
                break;
            case "ack of an unknown tag":
                await client.SendMethodAsync(1, new BasicAck(7, false));
                break;
            case "consume from nothing declared":
                await client.SendMethodAsync(1, new BasicConsume("", "", false, false, false, false, new()));
                break;
            case "declare amq.*":
                await client.SendMethodAsync(1, new ExchangeDeclare("amq.mine", "direct", false, true, false, false, false, new()));
                break;
            case "commit without select":
                await client.SendMethodAsync(1, new TxCommit());
                break;
            case "tx after confirm":
                await client.SendMethodAsync(1, new ConfirmSelect(false));
                await client.ExpectAsync<ConfirmSelectOk>();
                await client.SendMethodAsync(1, new TxSelect());
                break;
        }
        await ExpectChannelCloseAsync(client, (ushort)code, text, (ushort)classId, (ushort)methodId);
        await client.SendMethodAsync(1, new ChannelCloseOk());
        // The connection is still open: another channel works.
        await client.SendMethodAsync(2, new ChannelOpen());
        await client.ExpectAsync<ChannelOpenOk>();
    }

    [Theory]
    [InlineData("immediate", 540, "NOT_IMPLEMENTED - immediate=true", 60, 40)]
    [InlineData("prefetch size", 540, "NOT_IMPLEMENTED - prefetch_size!=0 (10)", 60, 10)]
    [InlineData("unknown exchange type", 503, "COMMAND_INVALID - unknown exchange type 'foo'", 40, 10)]
    [InlineData("recover without requeue", 540, "NOT_IMPLEMENTED - requeue=false", 60, 110)]
    [InlineData("flow off", 540, "NOT_IMPLEMENTED - active=false", 20, 20)]
    [InlineData("server-only method", 503, "COMMAND_INVALID - unimplemented method", 60, 60)]
    public async Task Hard_errors_close_the_connection_with_RabbitMQs_code_and_text(string situation, int code, string text, int classId, int methodId)
    {
        await using var client = await OpenAsync();
        switch (situation)
        {
            case "immediate":
                await client.SendMethodAsync(1, new BasicPublish("", "q", false, true));
                break;
            case "prefetch size":
                await client.SendMethodAsync(1, new BasicQos(10, 0, false));
                break;
            case "unknown exchange type":
                await client.SendMethodAsync(1, new ExchangeDeclare("x", "foo", false, true, false, false, false, new()));
                break;
            case "recover without requeue":
                await client.SendMethodAsync(1, new BasicRecover(false));
                break;
            case "flow off":
                await client.SendMethodAsync(1, new ChannelFlow(false));
                break;
            case "server-only method":
                await client.SendMethodAsync(1, new BasicDeliver("c", 1, false, "", "q"));
                break;
        }
        await ExpectConnectionCloseAsync(client, (ushort)code, text, (ushort)classId, (ushort)methodId);
    }

    [Fact]
    public async Task Update_secret_is_refused_as_RabbitMQs_password_backend_refuses_it()
    {
        await using var client = await OpenAsync();
        // connection.update-secret (10, 70): new-secret longstr, reason shortstr.
        await client.SendFrameAsync(1, 0, [0, 10, 0, 70, 0, 0, 0, 1, (byte)'x', 0]);
        await ExpectConnectionCloseAsync(client, 530, "NOT_ALLOWED - New secret was refused by one of the backends", 10, 70);
    }

    [Fact]
    public async Task Nothing_published_after_a_refused_publish_on_the_channel_is_stored()
    {
        await _host.Vhost.DeclareQueueAsync(new QueueDeclaration("kept"));
        await using var client = await OpenAsync();
        await client.PublishAsync(1, "nowhere", "k", [1]);
        await client.PublishAsync(1, "", "kept", [2]);
        await ExpectChannelCloseAsync(client, 404, "NOT_FOUND - no exchange 'nowhere' in vhost 'svc'", 60, 40);
        await client.SendMethodAsync(1, new ChannelCloseOk());
        await client.SendMethodAsync(0, new ConnectionClose(200, "", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
        Assert.Equal(0, _host.Vhost.GetQueue("kept").Ready);
    }
}

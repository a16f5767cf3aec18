using System.Text;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.Messaging.Engine;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

public sealed class HandshakeTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync(new AmqpOptions { HandshakeTimeout = TimeSpan.FromSeconds(3), CloseTimeout = TimeSpan.FromSeconds(1) });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_wrong_protocol_header_is_answered_with_the_one_spoken_and_the_socket_closes()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.SendAsync("AMQP\0\u0001\u0000\u0000"u8.ToArray());
        Assert.Equal("AMQP\0\0\u0009\u0001"u8.ToArray(), await client.ReadToEndAsync());
    }

    [Fact]
    public async Task PLAIN_login_opens_the_vhost_after_start_and_tune_as_RabbitMQ_sends_them()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        Assert.IsType<ConnectionOpenOk>(await client.HandshakeAsync("svc", _host.Password, "svc"));
        Assert.Equal((0, 9), (client.Start.VersionMajor, client.Start.VersionMinor));
        Assert.Equal("PLAIN AMQPLAIN", client.Start.Mechanisms);
        Assert.Equal("en_US", client.Start.Locales);
        Assert.Equal("Autonomy", client.Start.ServerProperties["product"]);
        var capabilities = Assert.IsType<FieldTable>(client.Start.ServerProperties["capabilities"]);
        Assert.Equal(["authentication_failure_close", "basic.nack", "connection.blocked", "consumer_cancel_notify", "exchange_exchange_bindings",
            "per_consumer_qos", "publisher_confirms"], capabilities.Keys.Order(StringComparer.Ordinal));
        Assert.All(capabilities, c => Assert.Equal(true, c.Value));
        Assert.Equal(new ConnectionTune(2047, 131072, 60), client.Tune);
    }

    [Fact]
    public async Task AMQPLAIN_login_opens_the_vhost()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        Assert.IsType<ConnectionOpenOk>(await client.HandshakeAsync("svc", _host.Password, "svc", mechanism: "AMQPLAIN"));
    }

    [Fact]
    public async Task A_wrong_password_is_403_ACCESS_REFUSED_for_a_client_that_reads_it()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        var close = Assert.IsType<ConnectionClose>(await client.HandshakeAsync("svc", "wrong", "svc"));
        Assert.Equal(new ConnectionClose(403,
            "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.", 0, 0), close);
        await client.SendMethodAsync(0, new ConnectionCloseOk());
        Assert.True(await client.ClosedAsync());
    }

    [Fact]
    public async Task A_wrong_password_is_a_bare_hang_up_for_a_client_without_authentication_failure_close()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.SendHeaderAsync();
        await client.ExpectAsync<ConnectionStart>();
        await client.SendMethodAsync(0, new ConnectionStartOk(new FieldTable(), "PLAIN", RawAmqpClient.Response("PLAIN", "svc", "wrong"), "en_US"));
        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task An_unknown_mechanism_is_503()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        var close = Assert.IsType<ConnectionClose>(await client.HandshakeAsync("svc", _host.Password, "svc", mechanism: "EXTERNAL"));
        Assert.Equal(new ConnectionClose(503, "COMMAND_INVALID - unknown authentication mechanism 'EXTERNAL'", 10, 11), close);
    }

    [Theory]
    [InlineData(1024u, 2047, "NOT_ALLOWED - negotiated frame_max = 1024 is lower than the minimum allowed value (4096)")]
    [InlineData(0u, 2047, "NOT_ALLOWED - negotiated frame_max = 0 is higher than the maximum allowed value (131072)")]
    [InlineData(200000u, 2047, "NOT_ALLOWED - negotiated frame_max = 200000 is higher than the maximum allowed value (131072)")]
    [InlineData(131072u, 0, "NOT_ALLOWED - negotiated channel_max = 0 is higher than the maximum allowed value (2047)")]
    public async Task A_tune_ok_outside_the_limits_is_530(uint frameMax, int channelMax, string text)
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        var close = Assert.IsType<ConnectionClose>(await client.HandshakeAsync("svc", _host.Password, "svc", frameMax: frameMax, channelMax: (ushort)channelMax));
        Assert.Equal(new ConnectionClose(530, text, 10, 31), close);
    }

    [Fact]
    public async Task An_unknown_vhost_and_another_services_vhost_are_530_NOT_ALLOWED()
    {
        await _host.AddServiceAsync("other");
        await using (var client = await RawAmqpClient.ConnectAsync(_host.Port))
        {
            var close = Assert.IsType<ConnectionClose>(await client.HandshakeAsync("svc", _host.Password, "nowhere"));
            Assert.Equal(new ConnectionClose(530, "NOT_ALLOWED - vhost nowhere not found", 10, 40), close);
        }
        await using (var client = await RawAmqpClient.ConnectAsync(_host.Port))
        {
            var close = Assert.IsType<ConnectionClose>(await client.HandshakeAsync("svc", _host.Password, "other"));
            Assert.Equal(new ConnectionClose(530, "NOT_ALLOWED - access to vhost 'other' refused for user 'svc'", 10, 40), close);
        }
    }

    [Fact]
    public async Task A_client_that_stops_mid_handshake_is_dropped_at_the_handshake_timeout()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.SendAsync(Encoding.ASCII.GetBytes("AMQ"));
        Assert.True(await client.ClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_close_is_answered_with_close_ok_and_the_connection_ends()
    {
        await using var client = await RawAmqpClient.ConnectAsync(_host.Port);
        await client.OpenAsync("svc", _host.Password, "svc");
        await client.SendMethodAsync(0, new ConnectionClose(200, "bye", 0, 0));
        await client.ExpectAsync<ConnectionCloseOk>();
        Assert.True(await client.ClosedAsync());
        await Eventually.TrueAsync(() => _host.Server.LiveConnections == 0 && _host.Server.OpenSessions("svc") == 0, "the connection and its session are gone");
        Assert.Equal(0, _host.Server.UnexpectedErrors);
    }
}

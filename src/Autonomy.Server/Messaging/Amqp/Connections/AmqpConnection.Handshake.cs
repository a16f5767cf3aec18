using System.Reflection;
using System.Runtime.InteropServices;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpConnection
{
    private static readonly string ServerVersion =
        typeof(AmqpConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private void SendStart()
    {
        // RabbitMQ's capabilities, less consumer_priorities and direct_reply_to, which this broker does not implement.
        var capabilities = new FieldTable
        {
            { "publisher_confirms", true },
            { "exchange_exchange_bindings", true },
            { "basic.nack", true },
            { "consumer_cancel_notify", true },
            { "connection.blocked", true },
            { "authentication_failure_close", true },
            { "per_consumer_qos", true },
        };
        var properties = new FieldTable
        {
            { "capabilities", capabilities },
            { "product", "Autonomy" },
            { "version", ServerVersion },
            { "platform", RuntimeInformation.FrameworkDescription },
            { "cluster_name", $"autonomy@{Environment.MachineName}" },
            { "copyright", "Autonomy" },
            { "information", "The Autonomy platform's embedded message broker" },
        };
        Output.WriteMethod(0, new ConnectionStart(0, 9, properties, SaslResponse.Mechanisms, "en_US"));
    }

    private ValueTask HandleConnectionMethod(IAmqpMethod method)
    {
        switch (_state, method)
        {
            case (_, ConnectionClose):
                return CloseByClientAsync();
            case (ConnectionState.Starting, ConnectionStartOk startOk):
                StartOk(startOk);
                return ValueTask.CompletedTask;
            case (ConnectionState.Tuning, ConnectionTuneOk tuneOk):
                TuneOk(tuneOk);
                return ValueTask.CompletedTask;
            case (ConnectionState.Opening, ConnectionOpen open):
                Open(open);
                return ValueTask.CompletedTask;
            default:
                throw AmqpException.Of(ReplyCode.ChannelError, $"unexpected method in connection state {StateName}", method.ClassId, method.MethodId);
        }
    }

    private string StateName => _state switch
    {
        ConnectionState.Starting => "starting",
        ConnectionState.Tuning => "tuning",
        ConnectionState.Opening => "opening",
        ConnectionState.Open => "running",
        _ => "closing",
    };

    private void StartOk(ConnectionStartOk startOk)
    {
        Capabilities = ClientCapabilities.Of(startOk.ClientProperties);
        if (!SaslResponse.TryRead(startOk.Mechanism, startOk.Response ?? [], out var user, out var password))
        {
            throw AmqpException.Of(ReplyCode.CommandInvalid, $"unknown authentication mechanism '{startOk.Mechanism}'", startOk.ClassId, startOk.MethodId);
        }
        User = Server.Users.Authenticate(user, password) ?? throw AmqpException.Of(ReplyCode.AccessRefused,
            $"Login was refused using authentication mechanism {startOk.Mechanism}. For details see the broker logfile.");
        Output.WriteMethod(0, new ConnectionTune(Options.ChannelMax, Options.FrameMax, Options.Heartbeat));
        _state = ConnectionState.Tuning;
    }

    private void TuneOk(ConnectionTuneOk tuneOk)
    {
        if (tuneOk.FrameMax != 0 && tuneOk.FrameMax < AmqpFrames.MinFrameMax)
        {
            throw NotAllowed($"negotiated frame_max = {tuneOk.FrameMax} is lower than the minimum allowed value ({AmqpFrames.MinFrameMax})");
        }
        if (tuneOk.FrameMax == 0 || tuneOk.FrameMax > Options.FrameMax)
        {
            throw NotAllowed($"negotiated frame_max = {tuneOk.FrameMax} is higher than the maximum allowed value ({Options.FrameMax})");
        }
        if (tuneOk.ChannelMax == 0 || tuneOk.ChannelMax > Options.ChannelMax)
        {
            throw NotAllowed($"negotiated channel_max = {tuneOk.ChannelMax} is higher than the maximum allowed value ({Options.ChannelMax})");
        }
        FrameMax = tuneOk.FrameMax;
        // Clients are often a few octets off about what frame-max covers; RabbitMQ forgives up to the overhead.
        _inboundFrameMax = tuneOk.FrameMax + AmqpFrames.Overhead;
        ChannelMax = tuneOk.ChannelMax;
        HeartbeatSeconds = tuneOk.Heartbeat;
        StartHeartbeats();
        _state = ConnectionState.Opening;

        static AmqpException NotAllowed(string reason) => AmqpException.Of(ReplyCode.NotAllowed, reason, ConnectionTuneOk.Class, ConnectionTuneOk.Method);
    }

    private void Open(ConnectionOpen open)
    {
        var name = open.VirtualHost;
        if (!Broker.TryGetVirtualHost(name, out var vhost))
        {
            throw AmqpException.Of(ReplyCode.NotAllowed, $"vhost {name} not found", open.ClassId, open.MethodId);
        }
        if (Server.Users.Permissions.Of(UserName, name) is null)
        {
            throw AmqpException.Of(ReplyCode.NotAllowed, $"access to vhost '{name}' refused for user '{UserName}'", open.ClassId, open.MethodId);
        }
        VirtualHost = vhost;
        Output.WriteMethod(0, new ConnectionOpenOk());
        _state = ConnectionState.Open;
        StopHandshakeTimer();
    }

    /// <summary>The client closes: its channels end (unacknowledged messages go back), its exclusive queues go, then close-ok.</summary>
    private async ValueTask CloseByClientAsync()
    {
        await CloseChannelsAsync().ConfigureAwait(false);
        if (VirtualHost is not null)
        {
            Broker.CloseOwner(this);
        }
        Output.WriteMethod(0, new ConnectionCloseOk());
        _state = ConnectionState.Closed;
    }
}

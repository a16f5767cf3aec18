using Autonomy.Server.Messaging.Amqp;
using Autonomy.Server.Messaging.Model;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>A broker to run a scenario against: its AMQP port, and a user with every permission on a vhost of its own.</summary>
internal sealed record ConformanceTarget(string Broker, int Port, string User, string Password, string Vhost)
{
    /// <summary>A handshake as the user, then channel 1 opened.</summary>
    public async Task<RawAmqpClient> OpenAsync()
    {
        var client = await RawAmqpClient.ConnectAsync(Port);
        await client.OpenAsync(User, Password, Vhost);
        return client;
    }
}

/// <summary>
/// What a broker answered a scenario with: the channel.close or connection.close it sent (code, text with the vhost
/// and user names replaced by &lt;vhost&gt; and &lt;user&gt;, class and method), or the method that showed all went well.
/// </summary>
internal sealed record ConformanceAnswer(string Kind, ushort Code, string Text, ushort ClassId, ushort MethodId)
{
    public override string ToString() => Kind.EndsWith(".close", StringComparison.Ordinal) ? $"{Kind} {Code} \"{Text}\" ({ClassId},{MethodId})" : Kind;

    public static ConformanceAnswer Of(IAmqpMethod method, ConformanceTarget target) => method switch
    {
        ChannelClose c => new("channel.close", c.ReplyCode, Normalise(c.ReplyText, target), c.FailingClassId, c.FailingMethodId),
        ConnectionClose c => new("connection.close", c.ReplyCode, Normalise(c.ReplyText, target), c.FailingClassId, c.FailingMethodId),
        _ => new(method.Name, 0, "", 0, 0),
    };

    private static string Normalise(string text, ConformanceTarget target) =>
        text.Replace($"'{target.Vhost}'", "'<vhost>'", StringComparison.Ordinal).Replace($"vhost {target.Vhost} ", "vhost <vhost> ", StringComparison.Ordinal)
            .Replace($"'{target.User}'", "'<user>'", StringComparison.Ordinal);
}

/// <summary>
/// Protocol errors a client can make, each as the octets a client sends, so that the embedded broker and RabbitMQ can
/// be asked the same thing. Names are made unique per run by <c>n</c>, so a scenario never meets another's leftovers.
/// </summary>
internal static class ConformanceScenarios
{
    private static readonly FieldTable NoArguments = new();

    public static IReadOnlyDictionary<string, Func<ConformanceTarget, string, Task<ConformanceAnswer>>> All { get; } =
        new Dictionary<string, Func<ConformanceTarget, string, Task<ConformanceAnswer>>>
        {
            ["unknown vhost"] = async (t, n) =>
            {
                await using var client = await RawAmqpClient.ConnectAsync(t.Port);
                return ConformanceAnswer.Of(await client.HandshakeAsync(t.User, t.Password, $"nowhere-{n}"), t with { Vhost = $"nowhere-{n}" });
            },
            ["wrong password"] = async (t, n) =>
            {
                await using var client = await RawAmqpClient.ConnectAsync(t.Port);
                return ConformanceAnswer.Of(await client.HandshakeAsync(t.User, "not-the-password", t.Vhost), t);
            },
            ["unknown mechanism"] = async (t, n) =>
            {
                await using var client = await RawAmqpClient.ConnectAsync(t.Port);
                return ConformanceAnswer.Of(await client.HandshakeAsync(t.User, t.Password, t.Vhost, mechanism: "CRAM-MD5"), t);
            },
            ["consume from an unknown queue"] = (t, n) => Channel1(t, new BasicConsume($"missing-{n}", "", false, false, false, false, NoArguments)),
            ["bind an unknown queue"] = (t, n) => Channel1(t, new QueueBind($"missing-{n}", "amq.direct", "k", false, NoArguments)),
            ["bind to an unknown exchange"] = async (t, n) => await Channel1(t,
                new QueueDeclare($"bound-{n}", false, false, false, true, false, NoArguments), new QueueBind($"bound-{n}", $"missing-{n}", "k", false, NoArguments)),
            ["purge an unknown queue"] = (t, n) => Channel1(t, new QueuePurge($"missing-{n}", false)),
            ["get from an unknown queue"] = (t, n) => Channel1(t, new BasicGet($"missing-{n}", false)),
            ["delete an unknown queue"] = (t, n) => Channel1(t, new QueueDelete($"missing-{n}", false, false, false)),
            ["delete an unknown exchange"] = (t, n) => Channel1(t, new ExchangeDelete($"missing-{n}", false, false)),
            ["passive declare of an unknown queue"] = (t, n) => Channel1(t, new QueueDeclare($"missing-{n}", true, false, false, false, false, NoArguments)),
            ["passive declare of an unknown exchange"] = (t, n) => Channel1(t, new ExchangeDeclare($"missing-{n}", "direct", true, false, false, false, false, NoArguments)),
            ["inequivalent queue redeclare"] = (t, n) => Channel1(t,
                new QueueDeclare($"durable-{n}", false, true, false, true, false, NoArguments), new QueueDeclare($"durable-{n}", false, false, false, true, false, NoArguments)),
            ["inequivalent queue argument"] = (t, n) => Channel1(t,
                new QueueDeclare($"ttl-{n}", false, false, false, true, false, new FieldTable { ["x-message-ttl"] = 1000 }),
                new QueueDeclare($"ttl-{n}", false, false, false, true, false, new FieldTable { ["x-message-ttl"] = 2000 })),
            ["inequivalent exchange redeclare"] = (t, n) => Channel1(t,
                new ExchangeDeclare($"x-{n}", "direct", false, false, true, false, false, NoArguments), new ExchangeDeclare($"x-{n}", "topic", false, false, true, false, false, NoArguments)),
            ["unknown exchange type"] = (t, n) => Channel1(t, new ExchangeDeclare($"x-{n}", "no-such-type", false, false, true, false, false, NoArguments)),
            ["declare an amq. exchange"] = (t, n) => Channel1(t, new ExchangeDeclare($"amq.x-{n}", "direct", false, false, true, false, false, NoArguments)),
            ["delete a system exchange"] = (t, n) => Channel1(t, new ExchangeDelete("amq.direct", false, false)),
            ["declare the default exchange"] = (t, n) => Channel1(t, new ExchangeDeclare("", "direct", false, true, false, false, false, NoArguments)),
            ["exclusive queue of another connection"] = async (t, n) =>
            {
                await using var owner = await t.OpenAsync();
                await owner.SendMethodAsync(1, new QueueDeclare($"mine-{n}", false, false, true, true, false, NoArguments));
                await owner.ExpectAsync<QueueDeclareOk>();
                return await Channel1(t, new QueueDeclare($"mine-{n}", false, false, false, true, false, NoArguments));
            },
            ["consume an exclusive queue of another connection"] = async (t, n) =>
            {
                await using var owner = await t.OpenAsync();
                await owner.SendMethodAsync(1, new QueueDeclare($"mine-{n}", false, false, true, true, false, NoArguments));
                await owner.ExpectAsync<QueueDeclareOk>();
                return await Channel1(t, new BasicConsume($"mine-{n}", "", false, false, false, false, NoArguments));
            },
            ["exclusive consume of a consumed queue"] = (t, n) => Channel1(t,
                new QueueDeclare($"shared-{n}", false, false, false, true, false, NoArguments),
                new BasicConsume($"shared-{n}", "first", false, false, false, false, NoArguments),
                new BasicConsume($"shared-{n}", "second", false, false, true, false, NoArguments)),
            ["delete a queue in use with if-unused"] = (t, n) => Channel1(t,
                new QueueDeclare($"used-{n}", false, false, false, true, false, NoArguments),
                new BasicConsume($"used-{n}", "c", false, false, false, false, NoArguments),
                new QueueDelete($"used-{n}", true, false, false)),
            ["ack of an unknown delivery tag"] = (t, n) => Channel1(t, new BasicAck(7, false)),
            ["nack of an unknown delivery tag"] = (t, n) => Channel1(t, new BasicNack(7, false, true)),
            ["reject of an unknown delivery tag"] = (t, n) => Channel1(t, new BasicReject(7, false)),
            ["double ack"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendMethodAsync(1, new QueueDeclare($"acked-{n}", false, false, false, true, false, NoArguments));
                await client.ExpectAsync<QueueDeclareOk>();
                await client.SendMethodAsync(1, new ConfirmSelect(false));
                await client.ExpectAsync<ConfirmSelectOk>();
                await client.PublishAsync(1, "", $"acked-{n}", [1]);
                await client.ExpectAsync<BasicAck>();
                await client.SendMethodAsync(1, new BasicGet($"acked-{n}", false));
                await client.ExpectAsync<BasicGetOk>();
                return await SendAndObserveAsync(client, t, new BasicAck(1, false), new BasicAck(1, false));
            },
            ["get right after a publish on the same channel"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendMethodAsync(1, new QueueDeclare($"quick-{n}", false, false, false, true, false, NoArguments));
                await client.ExpectAsync<QueueDeclareOk>();
                await client.PublishAsync(1, "", $"quick-{n}", [1]);
                await client.SendMethodAsync(1, new BasicGet($"quick-{n}", false));
                return ConformanceAnswer.Of(await client.ReadMethodAsync(), t);
            },
            ["publish to an unknown exchange"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.PublishAsync(1, $"missing-{n}", "k", [1]);
                return await SendAndObserveAsync(client, t);
            },
            ["publish with another user-id"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.PublishAsync(1, "amq.direct", "k", [1], new MessageProperties { UserId = "mallory" });
                return await SendAndObserveAsync(client, t);
            },
            ["publish with an invalid expiration"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.PublishAsync(1, "amq.direct", "k", [1], new MessageProperties { Expiration = "soon" });
                return await SendAndObserveAsync(client, t);
            },
            ["publish with immediate"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendMethodAsync(1, new BasicPublish("amq.direct", "k", false, true));
                await SendOneOctetContentAsync(client);
                return await SendAndObserveAsync(client, t);
            },
            ["channel already open"] = (t, n) => Channel1(t, new ChannelOpen()),
            ["method on an unopened channel"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendMethodAsync(2, new BasicQos(0, 1, false));
                return await ObserveAsync(client, t);
            },
            ["method on a closed channel"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendMethodAsync(1, new ChannelClose(200, "", 0, 0));
                await client.ExpectAsync<ChannelCloseOk>();
                await client.SendMethodAsync(1, new BasicQos(0, 1, false));
                return await ObserveAsync(client, t);
            },
            ["consume with a tag in use"] = (t, n) => Channel1(t,
                new QueueDeclare($"tagged-{n}", false, false, false, true, false, NoArguments),
                new BasicConsume($"tagged-{n}", "same", false, false, false, false, NoArguments),
                new BasicConsume($"tagged-{n}", "same", false, false, false, false, NoArguments)),
            ["qos with a prefetch size"] = (t, n) => Channel1(t, new BasicQos(1000, 0, false)),
            ["recover without requeue"] = (t, n) => Channel1(t, new BasicRecover(false)),
            ["tx.commit without tx.select"] = (t, n) => Channel1(t, new TxCommit()),
            ["tx.rollback without tx.select"] = (t, n) => Channel1(t, new TxRollback()),
            ["confirm.select in tx mode"] = (t, n) => Channel1(t, new TxSelect(), new ConfirmSelect(false)),
            ["tx.select in confirm mode"] = (t, n) => Channel1(t, new ConfirmSelect(false), new TxSelect()),
            ["ack of an unknown tag inside tx"] = (t, n) => Channel1(t, new TxSelect(), new BasicAck(9, false)),
            ["flow off"] = (t, n) => Channel1(t, new ChannelFlow(false)),
            ["server-only method"] = (t, n) => Channel1(t, new QueueDeclareOk("q", 0, 0)),
            ["delete the default exchange"] = (t, n) => Channel1(t, new ExchangeDelete("", false, false)),
            ["content header without publish"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendFrameAsync(2, 1, new byte[] { 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 });
                return await ObserveAsync(client, t);
            },
            ["method where a content header belongs"] = (t, n) => Channel1(t, new BasicPublish("amq.direct", "k", false, false), new BasicQos(0, 1, false)),
            ["heartbeat on a channel"] = async (t, n) =>
            {
                await using var client = await t.OpenAsync();
                await client.SendFrameAsync(8, 1, []);
                return await ObserveAsync(client, t);
            },
            ["empty queue name with none declared"] = (t, n) => Channel1(t, new QueuePurge("", false)),
        };

    /// <summary>The content header and body of a one-octet message on channel 1, as they follow a basic.publish.</summary>
    private static async Task SendOneOctetContentAsync(RawAmqpClient client)
    {
        await client.SendFrameAsync(2, 1, new byte[] { 0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 });
        await client.SendFrameAsync(3, 1, [1]);
    }

    /// <summary>The methods on channel 1 of a new connection, then the first close or the answer to a final qos.</summary>
    private static async Task<ConformanceAnswer> Channel1(ConformanceTarget target, params IAmqpMethod[] methods)
    {
        await using var client = await target.OpenAsync();
        return await SendAndObserveAsync(client, target, methods);
    }

    private static async Task<ConformanceAnswer> SendAndObserveAsync(RawAmqpClient client, ConformanceTarget target, params IAmqpMethod[] methods)
    {
        foreach (var method in methods)
        {
            await client.SendMethodAsync(1, method);
        }
        // A synchronous method last: its answer says that everything before it went through.
        await client.SendMethodAsync(1, new BasicQos(0, 0, false));
        return await ObserveAsync(client, target);
    }

    /// <summary>Reads until a close (what the broker refused) or qos-ok (it refused nothing), past contents and heartbeats.</summary>
    private static async Task<ConformanceAnswer> ObserveAsync(RawAmqpClient client, ConformanceTarget target)
    {
        while (true)
        {
            var frame = await client.ReadFrameAsync() ?? throw new InvalidOperationException($"{target.Broker} hung up without a close");
            if (frame.Type == FrameType.Method && frame.Method is ChannelClose or ConnectionClose or BasicQosOk)
            {
                return ConformanceAnswer.Of(frame.Method, target);
            }
        }
    }
}

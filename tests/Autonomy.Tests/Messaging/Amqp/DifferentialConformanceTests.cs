using System.Net.Http.Json;
using System.Text;
using Autonomy.Tests.TestUtilities;
using Xunit.Abstractions;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// The same protocol errors sent to the embedded broker and to a real RabbitMQ: each must be answered alike, the
/// reply code, text (vhost and user names set aside), class and method, or be a deviation listed here with its reason.
/// This keeps the listener's error semantics honest against the broker its clients were written for.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class DifferentialConformanceTests(RabbitMqServerFixture rabbit, ITestOutputHelper output)
{
    /// <summary>
    /// Where the embedded broker answers otherwise on purpose, and why. A deviation in the text only still has to agree
    /// on the kind of answer, the code, the class and the method.
    /// </summary>
    private static readonly Dictionary<string, (bool TextOnly, string Reason)> KnownDeviations = new()
    {
        ["unknown mechanism"] = (false,
            "RabbitMQ 3.10 hangs up without a word; the embedded broker says why (503 COMMAND_INVALID naming the mechanism), and clients report both as a failed login"),
        ["heartbeat on a channel"] = (true, "the text names the channel instead of RabbitMQ's generic dump of the frame ('type 8, all octets = <<>>')"),
        ["inequivalent queue argument"] = (true, "the engine's text also names the type of each value, as later RabbitMQ releases do"),
        ["declare an amq. exchange"] = (true, "the engine's text also names the vhost, as its other refusals do"),
    };

    [Fact]
    public async Task The_embedded_broker_answers_protocol_errors_as_RabbitMQ_does()
    {
        await using var host = await AmqpBrokerHost.StartAsync();
        var embedded = new ConformanceTarget("embedded", host.Port, "svc", host.Password, "svc");
        var real = await RabbitMqTargetAsync();
        var report = new StringBuilder();
        var differences = new List<string>();
        foreach (var (name, scenario) in ConformanceScenarios.All)
        {
            var n = Guid.NewGuid().ToString("N")[..8];
            var theirs = await AnswerAsync(scenario, real, n);
            var ours = await AnswerAsync(scenario, embedded, n);
            var same = theirs == ours;
            var known = KnownDeviations.TryGetValue(name, out var deviation);
            report.AppendLine($"{(same ? "same" : known ? "known" : "DIFF")}  {name}: RabbitMQ {theirs}{(same ? "" : $"; embedded {ours}")}");
            if (same && known)
            {
                differences.Add($"{name}: listed as a deviation ({deviation.Reason}) but both brokers answer {ours}");
            }
            else if (!same && (!known || deviation.TextOnly && theirs with { Text = "" } != ours with { Text = "" }))
            {
                differences.Add($"{name}: RabbitMQ {theirs}, embedded {ours}");
            }
        }
        output.WriteLine(report.ToString());
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal(0, host.Server.UnexpectedErrors);
    }

    /// <summary>The broker's answer; a hang-up without a close frame is an answer too.</summary>
    private static async Task<ConformanceAnswer> AnswerAsync(Func<ConformanceTarget, string, Task<ConformanceAnswer>> scenario, ConformanceTarget target, string n)
    {
        try
        {
            return await scenario(target, n);
        }
        catch (Exception error) when (error is InvalidOperationException or IOException)
        {
            return new ConformanceAnswer("hang-up without a close", 0, "", 0, 0);
        }
    }

    /// <summary>A vhost and a user of the same name on the RabbitMQ node, with every permission there, as Autonomy provisions a service.</summary>
    private async Task<ConformanceTarget> RabbitMqTargetAsync()
    {
        var name = "conformance-" + Guid.NewGuid().ToString("N")[..8];
        var password = Guid.NewGuid().ToString("N");
        using var management = rabbit.Management();
        (await management.PutAsJsonAsync($"vhosts/{name}", new { description = "differential conformance" })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"users/{name}", new { password, tags = "" })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"permissions/{name}/{name}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new ConformanceTarget("RabbitMQ", rabbit.Port, name, password, name);
    }
}

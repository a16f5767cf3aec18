using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>Dead letters through the API: a rejected message is listed with why it died, and requeued to where it was published.</summary>
public sealed class DeadLetterApiTests
{
    private const string V = "/v1/mq/vhosts/orders";

    [Fact]
    public async Task ARejectedMessageIsListedWithItsDeathAndRequeuedToItsQueue()
    {
        await using var server = await RunningServer.StartAsync("name: dlq\nservices:\n  orders:\n    command: sleep 300\n");
        var http = server.Http;
        await http.SendAsync("PUT", $"{V}/exchanges/dlx", new { type = "fanout" });
        await http.SendAsync("PUT", $"{V}/queues/dead", new { });
        await http.SendAsync("POST", $"{V}/bindings", new { source = "dlx", destination = "dead" });
        await http.SendAsync("PUT", $"{V}/queues/work", new { arguments = new Dictionary<string, object> { ["x-dead-letter-exchange"] = "dlx" } });
        Assert.Empty((await http.SendAsync("GET", $"{V}/dead-letters")).EnumerateArray().Single().GetProperty("first").EnumerateArray());

        await http.SendAsync("POST", $"{V}/exchanges/amq.default/publish", new { routing_key = "work", payload = "bad order", properties = new { message_id = "o-7" } });
        var got = (await http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray().Single();
        Assert.Equal(1, (await http.SendAsync("POST", $"{V}/queues/work/nack", new { receipts = new[] { got.Text("receipt") }, requeue = false })).Number("rejected"));

        // A nack settles at once; the dead letter reaches its queue a moment later, as in RabbitMQ.
        await RunningProject.WaitUntilAsync(() => http.SendAsync("GET", $"{V}/queues/dead").Result.Number("messages") == 1, "the dead letter reached its queue");
        var listed = (await http.SendAsync("GET", $"{V}/dead-letters")).EnumerateArray().Single();
        Assert.Equal("dead", listed.Text("queue"));
        Assert.Equal(1, listed.Number("messages"));
        Assert.Equal(["work"], listed.GetProperty("sources").EnumerateArray().Select(s => s.GetString()));
        var first = listed.GetProperty("first").EnumerateArray().Single();
        Assert.Equal("o-7", first.Text("message_id"));
        Assert.Equal("rejected", first.GetProperty("death").Text("reason"));
        Assert.Equal("work", first.GetProperty("death").Text("queue"));
        Assert.Equal(0, (await http.SendAsync("GET", $"{V}/queues/work")).Number("messages"));

        Assert.Equal(1, (await http.SendAsync("POST", $"{V}/dead-letters/dead/requeue", new { max = 10 })).Number("requeued"));
        Assert.Equal(0, (await http.SendAsync("GET", $"{V}/queues/dead")).Number("messages"));
        var again = (await http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray().Single();
        Assert.Equal("bad order", again.Text("payload"));
    }
}

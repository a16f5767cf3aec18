using System.Net;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>Receiving under a lease: what is not settled in time comes back, redelivered; late and unknown receipts are told so.</summary>
public sealed class LeaseTests : IAsyncLifetime
{
    private const string V = "/v1/mq/vhosts/orders";

    private RunningServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync("name: leases\nservices:\n  orders:\n    command: sleep 300\n");
        await Http.SendAsync("PUT", $"{V}/queues/work", new { });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task Publish(string payload) => Http.SendAsync("POST", $"{V}/exchanges/amq.default/publish", new { routing_key = "work", payload });

    [Fact]
    public async Task AnExpiredLeaseBringsTheMessageBackRedeliveredAndRefusesItsReceipt()
    {
        await Publish("one");
        var first = (await Http.SendAsync("GET", $"{V}/queues/work/messages?lease=500ms")).EnumerateArray().Single();
        Assert.False(first.GetProperty("redelivered").GetBoolean());
        Assert.Equal(1, (await Http.SendAsync("GET", $"{V}/queues/work")).Number("unacked"));

        // Nothing until the lease ends; then the same message, redelivered, to whoever waits.
        var again = (await Http.SendAsync("GET", $"{V}/queues/work/messages?wait=30s&lease=30s")).EnumerateArray().Single();
        Assert.Equal("one", again.Text("payload"));
        Assert.True(again.GetProperty("redelivered").GetBoolean());
        Assert.Equal(1, again.Number("delivery_count"));
        Assert.NotEqual(first.Text("receipt"), again.Text("receipt"));

        var late = await Http.ProblemAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { first.Text("receipt") } }, HttpStatusCode.Conflict, "mq-receipt-ended");
        Assert.Contains("its lease ended", late.Text("detail"), StringComparison.Ordinal);
        Assert.Contains("nothing was settled", late.Text("detail"), StringComparison.Ordinal);

        var unknown = await Http.ProblemAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { "r_never-handed-out" } }, HttpStatusCode.NotFound, "mq-unknown-receipt");
        Assert.Contains("not known for queue 'work'", unknown.Text("detail"), StringComparison.Ordinal);

        Assert.Equal(1, (await Http.SendAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { again.Text("receipt") } })).Number("acknowledged"));
        var twice = await Http.ProblemAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { again.Text("receipt") } }, HttpStatusCode.Conflict, "mq-receipt-ended");
        Assert.Contains("it was acknowledged", twice.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(0, (await Http.SendAsync("GET", $"{V}/queues/work")).Number("messages"));
    }

    [Fact]
    public async Task ANackWithADelayHoldsTheMessageBackForThatLong()
    {
        await Publish("retry me");
        var got = (await Http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray().Single();
        Assert.Equal(1, (await Http.SendAsync("POST", $"{V}/queues/work/nack", new { receipts = new[] { got.Text("receipt") }, delay_ms = 1500 })).Number("requeued"));
        var queue = await Http.SendAsync("GET", $"{V}/queues/work");
        Assert.Equal(1, queue.Number("delayed"));
        Assert.Equal(0, queue.Number("ready"));
        Assert.Empty((await Http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray());

        var back = (await Http.SendAsync("GET", $"{V}/queues/work/messages?wait=30")).EnumerateArray().Single();
        Assert.Equal("retry me", back.Text("payload"));
        Assert.True(back.GetProperty("redelivered").GetBoolean());
        await Http.SendAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { back.Text("receipt") } });
    }

    [Fact]
    public async Task ReceiptsAreOfOneQueueAndUnguessable()
    {
        await Http.SendAsync("PUT", $"{V}/queues/other", new { });
        await Publish("mine");
        var got = (await Http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray().Single();
        var receipt = got.Text("receipt");
        Assert.True(receipt.Length >= 24, receipt);
        await Http.ProblemAsync("POST", $"{V}/queues/other/ack", new { receipts = new[] { receipt } }, HttpStatusCode.NotFound, "mq-unknown-receipt");
        Assert.Equal(1, (await Http.SendAsync("GET", $"{V}/queues/work")).Number("unacked"));
        await Http.SendAsync("POST", $"{V}/queues/work/ack", new { receipts = new[] { receipt } });
    }

    [Fact]
    public async Task MessagesStillLeasedWhenTheServerStopsComeBackAfterItStarts()
    {
        await Publish("in flight");
        Assert.Single((await Http.SendAsync("GET", $"{V}/queues/work/messages?lease=1h")).EnumerateArray());
        await _server.StopAsync();
        await _server.StartAgainAsync();
        var back = (await Http.SendAsync("GET", $"{V}/queues/work/messages")).EnumerateArray().Single();
        Assert.Equal("in flight", back.Text("payload"));
        Assert.True(back.GetProperty("redelivered").GetBoolean());
    }
}

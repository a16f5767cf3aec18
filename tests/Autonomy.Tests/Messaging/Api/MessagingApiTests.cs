using System.Net;
using System.Net.Http.Headers;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>Every route of the messaging API through real HTTP against a running server, with the admin token.</summary>
public sealed class MessagingApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync("name: mqapi\nservices:\n  orders:\n    command: sleep 300\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AServicesVhostIsThereWithItsExchanges()
    {
        var vhosts = await Http.SendAsync("GET", "/v1/mq/vhosts");
        var orders = vhosts.EnumerateArray().Single(v => v.Text("name") == "orders");
        Assert.True(orders.GetProperty("service").GetBoolean());
        var exchanges = await Http.SendAsync("GET", "/v1/mq/vhosts/orders/exchanges");
        Assert.Equal(["amq.default", "amq.direct", "amq.fanout", "amq.headers", "amq.match", "amq.topic"],
            exchanges.EnumerateArray().Select(e => e.Text("name")).Order(StringComparer.Ordinal));
        Assert.Equal("topic", (await Http.SendAsync("GET", "/v1/mq/vhosts/orders/exchanges/amq.topic")).Text("type"));
        await Http.ProblemAsync("GET", "/v1/mq/vhosts/nowhere/queues", null, HttpStatusCode.NotFound, "mq-not-found");
    }

    [Fact]
    public async Task DeclareBindPublishReceiveAckAndTakeItAllDown()
    {
        const string v = "/v1/mq/vhosts/orders";
        Assert.Equal("topic", (await Http.SendAsync("PUT", $"{v}/exchanges/events", new { type = "topic" }, HttpStatusCode.Created)).Text("type"));
        await Http.SendAsync("PUT", $"{v}/exchanges/events", new { type = "topic" }, HttpStatusCode.OK);
        var queue = await Http.SendAsync("PUT", $"{v}/queues/jobs", new { arguments = new Dictionary<string, object> { ["x-max-priority"] = 5 } }, HttpStatusCode.Created);
        Assert.Equal(5, queue.GetProperty("arguments").GetProperty("x-max-priority").GetInt32());
        Assert.True(queue.GetProperty("durable").GetBoolean());
        await Http.SendAsync("POST", $"{v}/bindings", new { source = "events", destination = "jobs", routing_key = "order.*" }, HttpStatusCode.Created);
        var bindings = await Http.SendAsync("GET", $"{v}/bindings");
        Assert.Contains(bindings.EnumerateArray(), b => b.Text("source") == "events" && b.Text("destination") == "jobs" && b.Text("destination_type") == "queue");

        var routed = await Http.SendAsync("POST", $"{v}/exchanges/events/publish", new
        {
            routing_key = "order.placed",
            properties = new { message_id = "m-1", headers = new { attempt = 1, source = "test" } },
            payload = "hello",
        });
        Assert.Equal("routed", routed.Text("outcome"));
        Assert.Equal("unroutable", (await Http.SendAsync("POST", $"{v}/exchanges/events/publish", new { routing_key = "invoice.sent", payload = "x" })).Text("outcome"));
        using (var raw = new ByteArrayContent([0, 1, 2, 255]))
        {
            raw.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await Http.PostAsync($"{v}/exchanges/amq.default/publish?routing_key=jobs&message_id=m-2", raw);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var depth = await Http.SendAsync("GET", $"{v}/queues/jobs");
        Assert.Equal(2, depth.Number("ready"));
        Assert.Equal(2, depth.Number("messages"));

        var messages = (await Http.SendAsync("GET", $"{v}/queues/jobs/messages?max=10")).EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        var text = messages.Single(m => m.GetProperty("properties").Text("message_id") == "m-1");
        Assert.Equal("hello", text.Text("payload"));
        Assert.Equal("string", text.Text("payload_encoding"));
        Assert.Equal("events", text.Text("exchange"));
        Assert.Equal("order.placed", text.Text("routing_key"));
        Assert.False(text.GetProperty("redelivered").GetBoolean());
        Assert.Equal(1, text.GetProperty("properties").GetProperty("headers").GetProperty("attempt").GetInt32());
        Assert.Equal(2, text.GetProperty("properties").GetProperty("delivery_mode").GetInt32());
        var binary = messages.Single(m => m.GetProperty("properties").Text("message_id") == "m-2");
        Assert.Equal("base64", binary.Text("payload_encoding"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, Convert.FromBase64String(binary.Text("payload")));
        Assert.Equal("application/octet-stream", binary.GetProperty("properties").Text("content_type"));
        Assert.Equal("amq.default", binary.Text("exchange"));
        Assert.Equal(2, (await Http.SendAsync("GET", $"{v}/queues/jobs")).Number("unacked"));

        var acked = await Http.SendAsync("POST", $"{v}/queues/jobs/ack", new { receipts = messages.Select(m => m.Text("receipt")) });
        Assert.Equal(2, acked.Number("acknowledged"));
        Assert.Equal(0, (await Http.SendAsync("GET", $"{v}/queues/jobs")).Number("messages"));
        Assert.Empty((await Http.SendAsync("GET", $"{v}/queues/jobs/messages")).EnumerateArray());

        for (var i = 0; i < 3; i++)
        {
            await Http.SendAsync("POST", $"{v}/exchanges/events/publish", new { routing_key = "order.placed", payload = $"{i}" });
        }
        Assert.Equal(3, (await Http.SendAsync("DELETE", $"{v}/queues/jobs/messages")).Number("purged"));

        await Http.SendAsync("DELETE", $"{v}/bindings", new { source = "events", destination = "jobs", routing_key = "order.*" }, HttpStatusCode.NoContent);
        Assert.DoesNotContain((await Http.SendAsync("GET", $"{v}/bindings")).EnumerateArray(), b => b.Text("source") == "events");
        await Http.SendAsync("DELETE", $"{v}/exchanges/events", expect: HttpStatusCode.NoContent);
        Assert.Equal("jobs", (await Http.SendAsync("DELETE", $"{v}/queues/jobs")).Text("deleted"));
        await Http.ProblemAsync("GET", $"{v}/queues/jobs", null, HttpStatusCode.NotFound, "mq-not-found");

        // Declarations are changes to the platform and are audited; messages are the services' data and are not.
        var actions = (await Http.SendAsync("GET", "/v1/audit")).GetProperty("entries").EnumerateArray().Select(e => e.Text("action")).ToList();
        Assert.Contains($"PUT {v}/queues/jobs", actions);
        Assert.Contains($"DELETE {v}/queues/jobs/messages", actions);
        Assert.DoesNotContain(actions, a => a.EndsWith("/publish", StringComparison.Ordinal) || a.EndsWith("/ack", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALongPollAnswersAsSoonAsAMessageArrives()
    {
        const string v = "/v1/mq/vhosts/orders";
        await Http.SendAsync("PUT", $"{v}/queues/later", new { });
        var waiting = Http.SendAsync("GET", $"{v}/queues/later/messages?wait=60s&max=5");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await Http.SendAsync("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "later", payload = "now" });
        var got = (await waiting).EnumerateArray().Single();
        Assert.Equal("now", got.Text("payload"));
    }

    [Fact]
    public async Task BadRequestsNameTheFieldAndHowToFixIt()
    {
        const string v = "/v1/mq/vhosts/orders";
        await Http.SendAsync("PUT", $"{v}/queues/q", new { });

        async Task Field(string method, string path, object? body, string field, string says)
        {
            var problem = await Http.ProblemAsync(method, path, body, HttpStatusCode.BadRequest, "invalid-body");
            Assert.Equal(field, problem.Text("field"));
            Assert.Contains(says, problem.Text("detail"), StringComparison.Ordinal);
        }

        await Field("PUT", $"{v}/exchanges/x", new { type = "direkt" }, "type", "direct, fanout, topic or headers");
        await Field("PUT", $"{v}/exchanges/x", new { }, "type", "type is missing");
        await Field("PUT", $"{v}/exchanges/x", new { type = "direct", durabel = true }, "durabel", "takes arguments, auto_delete, durable, internal, type");
        await Field("PUT", $"{v}/queues/q2", new { durable = "yes" }, "durable", "must be true or false, not the string \"yes\"");
        await Field("PUT", $"{v}/queues/q2", new { arguments = new Dictionary<string, object> { ["x-message-ttl"] = "1 hour" } }, "arguments.x-message-ttl", "whole number");
        await Field("PUT", $"{v}/queues/q2", new { arguments = new Dictionary<string, object> { ["x-overflow"] = "drop-tail" } }, "arguments.x-overflow", "drop-head, reject-publish, reject-publish-dlx");
        await Field("PUT", $"{v}/queues/q2", new { arguments = new Dictionary<string, object> { ["x-queue-type"] = "stream" } }, "arguments.x-queue-type", "classic, quorum");
        await Field("PUT", $"{v}/queues/q2", new { exclusive = true }, "exclusive", "HTTP has none");
        await Field("PUT", $"{v}/queues/q2", "{\"durable\": tru}", "body", "not valid JSON (line 1, byte 16)");
        var broken = await Http.ProblemAsync("PUT", $"{v}/queues/q2", "{\"durable\": tru}", HttpStatusCode.BadRequest, "invalid-body");
        Assert.DoesNotContain("LineNumber", broken.Text("detail"), StringComparison.Ordinal);
        await Field("POST", $"{v}/exchanges/amq.default/publish", new { payload = "x" }, "routing_key", "routing_key is missing");
        await Field("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "q" }, "payload", "payload is missing");
        await Field("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "q", payload = "%%", payload_encoding = "base64" }, "payload", "not base64");
        await Field("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "q", payload = "x", properties = new { delivery_mode = 3 } }, "properties.delivery_mode", "from 1 to 2");
        await Field("POST", $"{v}/bindings", new { source = "amq.default", destination = "q" }, "source", "cannot be bound");
        await Field("POST", $"{v}/bindings", new { source = "amq.direct", destination = "q", destination_type = "topic" }, "destination_type", "queue (the default) or exchange");
        await Field("GET", $"{v}/queues/q/messages?max=0", null, "max", "from 1 to 1000");
        await Field("GET", $"{v}/queues/q/messages?lease=13h", null, "lease", "from 100ms to 12h");
        await Field("GET", $"{v}/queues/q/messages?wait=soon", null, "wait", "give seconds or a duration");
        await Field("POST", $"{v}/queues/q/ack", new { }, "receipts", "receipts is missing");
        await Field("POST", $"{v}/queues/q/nack", new { receipts = new[] { "r_x" }, requeue = false, delay_ms = 5 }, "delay_ms", "dead-lettered");
        await Field("PUT", "/v1/mq/vhosts/bad name", null, "vhost", "is not a vhost name");

        using (var csv = new StringContent("a,b", System.Text.Encoding.UTF8, "text/csv"))
        using (var response = await Http.PostAsync($"{v}/exchanges/amq.default/publish", csv))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("?routing_key=", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheBrokersRefusalsKeepTheirReplyTextAndGetAFittingStatus()
    {
        const string v = "/v1/mq/vhosts/orders";
        var missing = await Http.ProblemAsync("GET", $"{v}/queues/ghost/messages", null, HttpStatusCode.NotFound, "mq-not-found");
        Assert.Equal("NOT_FOUND - no queue 'ghost' in vhost 'orders'", missing.Text("detail"));
        Assert.Equal(404, missing.GetProperty("reply_code").GetInt32());

        var reserved = await Http.ProblemAsync("PUT", $"{v}/exchanges/amq.mine", new { type = "direct" }, HttpStatusCode.Forbidden, "mq-access-refused");
        Assert.StartsWith("ACCESS_REFUSED - ", reserved.Text("detail"), StringComparison.Ordinal);

        await Http.SendAsync("PUT", $"{v}/queues/kept", new { durable = true });
        var inequivalent = await Http.ProblemAsync("PUT", $"{v}/queues/kept", new { durable = false }, HttpStatusCode.Conflict, "mq-precondition-failed");
        Assert.Contains("inequivalent arg 'durable'", inequivalent.Text("detail"), StringComparison.Ordinal);

        await Http.SendAsync("POST", $"{v}/exchanges/amq.default/publish", new { routing_key = "kept", payload = "x" });
        var full = await Http.ProblemAsync("DELETE", $"{v}/queues/kept?if_empty=true", null, HttpStatusCode.Conflict, "mq-precondition-failed");
        Assert.Contains("not empty", full.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(1, (await Http.SendAsync("GET", $"{v}/queues/kept")).Number("messages"));
    }

    [Fact]
    public async Task AVhostOfItsOwnIsMadeAndDeletedByTheAdminButAServicesIsKept()
    {
        Assert.Equal("scratch", (await Http.SendAsync("PUT", "/v1/mq/vhosts/scratch", expect: HttpStatusCode.Created)).Text("name"));
        await Http.SendAsync("PUT", "/v1/mq/vhosts/scratch", expect: HttpStatusCode.OK);
        Assert.False((await Http.SendAsync("GET", "/v1/mq/vhosts/scratch")).GetProperty("service").GetBoolean());
        await Http.SendAsync("DELETE", "/v1/mq/vhosts/scratch", expect: HttpStatusCode.NoContent);
        await Http.ProblemAsync("GET", "/v1/mq/vhosts/scratch", null, HttpStatusCode.NotFound, "mq-not-found");
        var kept = await Http.ProblemAsync("DELETE", "/v1/mq/vhosts/orders", null, HttpStatusCode.Conflict, "mq-service-vhost");
        Assert.Contains("remove the service from the compose file first", kept.Text("detail"), StringComparison.Ordinal);
    }
}

using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// Debian's pika (python3-pika 1.2) against the embedded broker, as a Python service written for RabbitMQ uses it:
/// one script per scenario in pika/, which prints what it saw as JSON; the test asserts its exit code and output.
/// </summary>
public sealed class PikaTests : IAsyncLifetime
{
    private AmqpBrokerHost _host = null!;

    public async Task InitializeAsync() => _host = await AmqpBrokerHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> RunAsync(string script, string? url = null)
    {
        var (exitCode, output, errors) = await PythonScript.RunFileAsync(script, [url ?? _host.Url]);
        Assert.True(exitCode == 0, $"{script} exited with {exitCode}: {errors}");
        return output;
    }

    [Fact]
    public async Task Confirms_ack_what_a_queue_took_and_raise_UnroutableError_and_NackError() =>
        Assert.Equal("""{"confirmed": 1, "unroutable": [[312, "NO_ROUTE", "nowhere", "lost"]], "nacked": "NackError", "small": 1}""",
            await RunAsync("confirms.py"));

    [Fact]
    public async Task Prefetch_holds_unacknowledged_deliveries_to_ten_until_they_are_acked() =>
        Assert.Equal("""{"windows": [10, 10, 5], "in_order": true, "left": 0}""", await RunAsync("prefetch.py"));

    [Fact]
    public async Task A_nack_without_requeue_goes_to_the_dead_letter_exchange_with_x_death() =>
        Assert.Equal("""{"body": "bad order", "message_id": "m1", "x-death": ["orders", "rejected", 1, "", ["orders"]], "orders": 0}""",
            await RunAsync("dead_letters.py"));

    [Fact]
    public async Task A_topic_exchange_routes_by_star_and_hash() =>
        Assert.Equal("""{"created": ["order.created"], "orders": ["order.created", "order.shipped", "order.line.added", "order"], "shipped": ["order.shipped", "invoice.shipped"]}""",
            await RunAsync("topic.py"));

    [Fact]
    public async Task Tx_commits_publishes_and_acks_and_rolls_them_back() =>
        Assert.Equal("""{"before_commit": 0, "after_commit": 1, "body": "committed", "redelivered": true, "after_ack_commit": 0}""",
            await RunAsync("tx.py"));

    [Fact]
    public async Task A_client_silent_for_two_heartbeats_is_dropped_and_pika_raises_StreamLostError()
    {
        Assert.Equal("""{"error": "StreamLostError"}""", await RunAsync("heartbeat_drop.py"));
        await RunningProject.WaitUntilAsync(() => _host.Server.LiveConnections == 0, "the dropped connection is gone from the server");
    }

    [Fact]
    public async Task An_idle_client_at_heartbeat_1_stays_open_on_heartbeats_alone() =>
        Assert.Equal("""{"open": true, "heartbeat": 1}""", await RunAsync("heartbeat_idle.py"));

    [Fact]
    public async Task A_wrong_password_is_ProbableAuthenticationError_with_403()
    {
        var output = await RunAsync("refused.py", $"amqp://svc:not-{_host.Password}@127.0.0.1:{_host.Port}/svc");
        Assert.StartsWith("""{"error": "ProbableAuthenticationError", """, output, StringComparison.Ordinal);
        Assert.Contains("403", output, StringComparison.Ordinal);
        Assert.Contains("ACCESS_REFUSED", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_services_vhost_is_ProbableAccessDeniedError_with_530()
    {
        await _host.AddServiceAsync("billing");
        var output = await RunAsync("refused.py", $"amqp://svc:{_host.Password}@127.0.0.1:{_host.Port}/billing");
        Assert.StartsWith("""{"error": "ProbableAccessDeniedError", """, output, StringComparison.Ordinal);
        Assert.Contains("530", output, StringComparison.Ordinal);
        Assert.Contains("NOT_ALLOWED - access to vhost 'billing' refused for user 'svc'", output, StringComparison.Ordinal);
    }
}

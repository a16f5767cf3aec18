using System.Net;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

/// <summary>Services with several replicas behind each balancing policy, and some that fail, in one real project.</summary>
public sealed class BalancedProject : IAsyncLifetime
{
    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var compose = "x-autonomy:\n  gateway: {port: 0}\nservices:\n"
            + GatewayApp.Service("even", replicas: 3)
            + GatewayApp.Service("idle", "load_balancing: least_requests", replicas: 2)
            + GatewayApp.Service("two", "load_balancing: power_of_two", replicas: 3)
            + GatewayApp.Service("retrying", "retries: 2\nejection: {failures: 1000}", replicas: 2)
            + GatewayApp.Service("ejecting", "retries: 0\nejection: {failures: 2, backoff: 1s}", replicas: 2)
            + GatewayApp.Service("sickly", replicas: 2);
        Server = await RunningServer.StartAsync(compose, GatewayApp.Files);
        foreach (var (service, count) in new[] { ("even", 3), ("idle", 2), ("two", 3), ("retrying", 2), ("ejecting", 2), ("sickly", 2) })
        {
            await GatewayApp.WaitForDestinationsAsync(Server.Plane.Gateway, service, count);
        }
    }

    /// <summary>A client of the service's stable port, which the gateway serves.</summary>
    public HttpClient Client(string service) =>
        new() { BaseAddress = new Uri($"http://127.0.0.1:{Server.Plane.Supervisor.Plans.Single(p => p.Name == service).ServicePort}"), Timeout = TimeSpan.FromSeconds(30) };

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class GatewayBalancingTests(BalancedProject project) : IClassFixture<BalancedProject>
{
    [Fact]
    public async Task Round_robin_gives_each_replica_the_same_share()
    {
        using var client = project.Client("even");
        var counts = await CountAsync(client, 30);
        Assert.Equal(new Dictionary<string, int> { ["even-1"] = 10, ["even-2"] = 10, ["even-3"] = 10 }, counts);
    }

    [Fact]
    public async Task Least_requests_sends_most_requests_to_the_idle_replica_while_the_other_is_slow()
    {
        project.Server.Files.Write("idle-1.slow", "");
        try
        {
            using var client = project.Client("idle");
            var instances = new List<string>();
            var left = 40;
            // Four clients share 40 requests. Least requests keeps the requests in flight even, so the slow replica
            // holds about two of them for a second each while the fast one serves the rest; round robin would give it 20.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                while (Interlocked.Decrement(ref left) >= 0)
                {
                    var seen = await GatewayApp.GetAsync(client, "/work");
                    lock (instances)
                    {
                        instances.Add(seen.Instance);
                    }
                }
            }));
            var slow = instances.Count(i => i == "idle-1");
            Assert.True(slow <= 10, $"the slow replica took {slow} of 40 requests (round robin would give it 20)");
        }
        finally
        {
            File.Delete(project.Server.Files.PathOf("idle-1.slow"));
        }
    }

    [Fact]
    public async Task Power_of_two_choices_spreads_requests_over_every_replica()
    {
        using var client = project.Client("two");
        var counts = await CountAsync(client, 60);
        Assert.Equal(["two-1", "two-2", "two-3"], counts.Keys.Order());
        Assert.All(counts.Values, n => Assert.InRange(n, 5, 50));
    }

    [Fact]
    public async Task An_idempotent_request_a_replica_drops_is_retried_on_another_and_a_post_is_not()
    {
        project.Server.Files.Write("retrying-1.broken", "");
        try
        {
            using var client = project.Client("retrying");
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
            {
                for (var i = 0; i < 4; i++)
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(method, "/idempotent"));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
            }
            var posts = new List<HttpStatusCode>();
            for (var i = 0; i < 6; i++)
            {
                using var response = await client.PostAsync("/not-idempotent", null);
                posts.Add(response.StatusCode);
            }
            // Round robin sends every other POST to the broken replica, and none of those is tried again.
            Assert.Equal(3, posts.Count(s => s == HttpStatusCode.BadGateway));
            Assert.Equal(3, posts.Count(s => s == HttpStatusCode.OK));
        }
        finally
        {
            File.Delete(project.Server.Files.PathOf("retrying-1.broken"));
        }
    }

    [Fact]
    public async Task A_replica_failing_requests_in_a_row_is_ejected_for_its_backoff_then_gets_traffic_again()
    {
        var gateway = project.Server.Plane.Gateway;
        using var client = project.Client("ejecting");
        project.Server.Files.Write("ejecting-1.failing", "");
        try
        {
            var failures = 0;
            for (var i = 0; i < 10 && gateway.Destinations("ejecting").Count == 2; i++)
            {
                using var response = await client.GetAsync("/x");
                failures += response.StatusCode == HttpStatusCode.InternalServerError ? 1 : 0;
            }
            Assert.Equal(["ejecting-2"], gateway.Destinations("ejecting"));
            Assert.Equal(2, failures);
            // While it is out, every request goes to the other replica.
            var counts = await CountAsync(client, 6);
            if (gateway.Destinations("ejecting").Count == 1)
            {
                Assert.Equal(new Dictionary<string, int> { ["ejecting-2"] = 6 }, counts);
            }
        }
        finally
        {
            File.Delete(project.Server.Files.PathOf("ejecting-1.failing"));
        }
        await GatewayApp.WaitForDestinationsAsync(gateway, "ejecting", 2);
        var after = await CountAsync(client, 4);
        Assert.Equal(2, after.GetValueOrDefault("ejecting-1"));
    }

    [Fact]
    public async Task A_replica_that_turns_unhealthy_leaves_rotation_and_comes_back_when_well()
    {
        var gateway = project.Server.Plane.Gateway;
        using var client = project.Client("sickly");
        project.Server.Files.Write("sickly-1.sick", "");
        try
        {
            await GatewayApp.WaitForDestinationsAsync(gateway, "sickly", 1);
            Assert.Equal(new Dictionary<string, int> { ["sickly-2"] = 6 }, await CountAsync(client, 6));
        }
        finally
        {
            File.Delete(project.Server.Files.PathOf("sickly-1.sick"));
        }
        await GatewayApp.WaitForDestinationsAsync(gateway, "sickly", 2);
        Assert.Equal(2, (await CountAsync(client, 4)).Count);
    }

    private static async Task<Dictionary<string, int>> CountAsync(HttpClient client, int requests)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            var seen = await GatewayApp.GetAsync(client, "/count");
            counts[seen.Instance] = counts.GetValueOrDefault(seen.Instance) + 1;
        }
        return counts;
    }
}

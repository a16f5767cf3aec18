using System.Net;
using System.Net.Http.Json;
using Autonomy.Tests.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ServiceDiscovery;

namespace Autonomy.Tests.Registry;

/// <summary>
/// A .NET service's HttpClient for http://orders, through Microsoft.Extensions.ServiceDiscovery and Autonomy's registry:
/// real replicas run by the real server, found by a replica's own token, followed as they come and go.
/// </summary>
public sealed class DiscoveryClientTests
{
    private const string Compose = """
        name: discovery
        services:
        """;

    private static string Services => TestApps.HttpService("orders") + TestApps.HttpService("web");

    [Fact]
    public async Task TheResolverFollowsAScaleUpAndAReplicasDeathWithoutARestart()
    {
        await using var server = await RunningServer.StartAsync(Compose + "\n" + Services, new Dictionary<string, string> { ["app.py"] = TestApps.HttpApp });
        // Discovery reads the registry with a replica's own token, as a service does with its AUTONOMY_TOKEN.
        var webPort = server.Plane.Supervisor.Status().Single(s => s.Name == "web").Replicas[0].Port;
        using var plain = new HttpClient();
        var token = await plain.GetStringAsync($"http://127.0.0.1:{webPort}/env/AUTONOMY_TOKEN");
        var stablePort = server.Plane.Supervisor.Status().Single(s => s.Name == "orders").Port;

        var services = new ServiceCollection();
        // What Autonomy also gives a replica: the service's stable port, the fallback the registry must win over.
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["services:orders:http:0"] = $"http://127.0.0.1:{stablePort}" }).Build());
        services.AddLogging();
        services.AddServiceDiscovery().AddAutonomyServiceEndpointProvider(o =>
        {
            o.Url = server.BaseAddress.ToString();
            o.Token = token;
        });
        services.AddHttpClient("orders", c => c.BaseAddress = new Uri("http://orders")).AddServiceDiscovery();
        await using var provider = services.BuildServiceProvider();
        var resolver = provider.GetRequiredService<ServiceEndpointResolver>();
        using var orders = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        Assert.Equal([Port(server, "orders-1")], await PortsAsync(resolver));
        Assert.Equal("orders-1", await orders.GetStringAsync("/"));

        // Scale up: the new replica is resolved as soon as it is healthy, and requests reach it.
        using (var scaled = await server.Http.PostAsJsonAsync("/v1/services/orders/scale", new { replicas = 2 }))
        {
            scaled.EnsureSuccessStatusCode();
        }
        await WaitAsync(async () => (await PortsAsync(resolver)).Count == 2, "the resolver has the second replica");
        Assert.Equal(new[] { Port(server, "orders-1"), Port(server, "orders-2") }.Order(), await PortsAsync(resolver));
        var answers = new HashSet<string>();
        for (var i = 0; i < 20 && answers.Count < 2; i++)
        {
            answers.Add(await orders.GetStringAsync("/"));
        }
        Assert.Equal(["orders-1", "orders-2"], answers.Order());

        // kill -9 of the second replica's process: it leaves the endpoints, and every request reaches the one left.
        var pid = server.Plane.Supervisor.Status().Single(s => s.Name == "orders").Replicas.Single(r => r.Id == "orders-2").Pid!.Value;
        var port2 = Port(server, "orders-2");
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        await WaitAsync(async () => !(await PortsAsync(resolver)).Contains(port2), "the dead replica left the resolved endpoints");
        Assert.Equal([Port(server, "orders-1")], await PortsAsync(resolver));
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("orders-1", await orders.GetStringAsync("/"));
        }
    }

    [Fact]
    public async Task AnUnreachableRegistryLeavesTheNameToTheConfiguration()
    {
        int closed;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["services:orders:http:0"] = "http://127.0.0.1:4321" }).Build());
        services.AddLogging();
        services.AddServiceDiscovery().AddAutonomyServiceEndpointProvider(o =>
        {
            o.Url = $"http://127.0.0.1:{closed}";
            o.FirstAnswerTimeout = TimeSpan.FromMilliseconds(200);
        });
        await using var provider = services.BuildServiceProvider();
        Assert.Equal([4321], await PortsAsync(provider.GetRequiredService<ServiceEndpointResolver>()));
    }

    [Fact]
    public void OutsideAutonomyNothingIsAdded()
    {
        var services = new ServiceCollection();
        services.AddAutonomyServiceEndpointProvider(o => o.Url = null);
        Assert.Empty(services);
    }

    private static int Port(RunningServer server, string replica) =>
        server.Plane.Supervisor.Status().Single(s => s.Name == "orders").Replicas.Single(r => r.Id == replica).Port;

    private static async Task<List<int>> PortsAsync(ServiceEndpointResolver resolver)
    {
        var source = await resolver.GetEndpointsAsync("http://orders", CancellationToken.None);
        return [.. source.Endpoints.Select(e => e.EndPoint switch
        {
            IPEndPoint ip => ip.Port,
            UriEndPoint uri => uri.Uri.Port,
            var other => throw new InvalidOperationException($"unexpected endpoint {other}"),
        }).Order()];
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }
            await Task.Delay(50);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Gateway;

public sealed class GatewayReloadTests
{
    [Fact]
    public async Task Routes_change_without_a_restart_when_a_changed_file_is_reconciled()
    {
        static string Compose(string routes) => "name: reload\nx-autonomy:\n  gateway: {port: 0}\nservices:\n" + GatewayApp.Service("shop", routes);
        await using var server = await RunningServer.StartAsync(Compose("routes: [{path: /old}]"), GatewayApp.Files);
        var port = server.Plane.Gateway.Port;
        using var gateway = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await GatewayApp.WaitForDestinationsAsync(server.Plane.Gateway, "shop", 1);
        Assert.Equal("/old/a", (await GatewayApp.GetAsync(gateway, "/old/a")).Path);

        server.Files.Write("compose.yaml", Compose("routes: [{path: /new, strip_prefix: true}]"));
        using var reconciled = await server.Http.PostAsJsonAsync("/v1/reconcile", new
        {
            files = new[] { "compose.yaml" },
            workingDirectory = server.Files.Directory,
            environment = new Dictionary<string, string> { ["HOME"] = "/home/test" },
        });
        Assert.True(reconciled.IsSuccessStatusCode, await reconciled.Content.ReadAsStringAsync());

        Assert.Equal(port, server.Plane.Gateway.Port);
        Assert.Equal("/a", (await GatewayApp.GetAsync(gateway, "/new/a")).Path);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.GetAsync("/old/a")).StatusCode);
        using var status = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/status"));
        Assert.Equal(port, status.RootElement.GetProperty("gateway_port").GetInt32());
    }
}

using System.Text;
using Autonomy.Client.Configuration;
using Autonomy.Server.Hosting;
using Autonomy.Tests.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Autonomy.Tests.Client;

/// <summary>
/// <c>AddAutonomy</c> against a real control plane on loopback, with the token a real replica of the
/// service was given (its own namespace and shared, nothing else).
/// </summary>
public sealed class AutonomyConfigurationTests : IAsyncLifetime
{
    private const string Compose = """
        name: client
        services:
          web:
            command: ["sh", "-c", "printf %s \"$$AUTONOMY_TOKEN\" > web.token.tmp && mv web.token.tmp web.token && exec sleep 300"]
          other:
            command: sleep 300
        """;

    private RunningServer _server = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(Compose);
        var tokenFile = _server.Files.PathOf("web.token");
        await RunningProject.WaitUntilAsync(() => File.Exists(tokenFile), "the replica wrote its token");
        _token = File.ReadAllText(tokenFile);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ConfigurationRoot Build(Action<AutonomyConfigurationOptions>? configure = null) =>
        (ConfigurationRoot)new ConfigurationBuilder().AddAutonomy(o =>
        {
            Configure(o);
            configure?.Invoke(o);
        }).Build();

    /// <summary>What the environment would give the web replica, set through the options instead.</summary>
    private void Configure(AutonomyConfigurationOptions o)
    {
        o.Url = _server.BaseAddress.ToString();
        o.Token = _token;
        o.Service = "web";
        o.Optional = false;
    }

    private async Task Put(string ns, string key, string value, string contentType = "text/plain")
    {
        using var response = await _server.Http.PutAsync($"/v1/config/{ns}/keys/{key}", new StringContent(value, Encoding.UTF8, contentType));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task Delete(string ns, string key)
    {
        using var response = await _server.Http.DeleteAsync($"/v1/config/{ns}/keys/{key}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Completes when the configuration's current reload token fires.</summary>
    private static Task NextReload(IConfiguration config)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        config.GetReloadToken().RegisterChangeCallback(_ => fired.TrySetResult(), null);
        return fired.Task;
    }

    [Fact]
    public async Task LoadsSharedThenTheServicesOwnAndTheOwnWins()
    {
        await Put("shared", "Greeting", "from shared");
        await Put("shared", "Region", "eu");
        await Put("web", "Greeting", "from web");
        await Put("web", "Logging:LogLevel:Default", "Debug");
        await Put("web", "Features", "{\"search\": true}", "application/json");
        await Put("other", "Secret", "not for web");

        using var config = Build();

        Assert.Equal("from web", config["Greeting"]);
        Assert.Equal("eu", config["Region"]);
        Assert.Equal("Debug", config.GetSection("Logging:LogLevel")["Default"]);
        Assert.Equal("{\"search\": true}", config["Features"]);
        Assert.Null(config["Secret"]);
    }

    [Fact]
    public async Task APutReachesTheConfigurationWithinASecondAndFiresTheReloadToken()
    {
        using var config = Build();
        Assert.Null(config["Greeting"]);

        var reloaded = NextReload(config);
        await Put("web", "Greeting", "Hi there");
        await reloaded.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("Hi there", config["Greeting"]);

        reloaded = NextReload(config);
        await Put("shared", "Region", "eu");
        await reloaded.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("eu", config["Region"]);
    }

    [Fact]
    public async Task OptionsMonitorSeesTheNewValue()
    {
        using var config = Build();
        await using var services = new ServiceCollection().Configure<GreetingOptions>(config).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<GreetingOptions>>();
        Assert.Equal("Hello", monitor.CurrentValue.Greeting);

        var changed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listening = monitor.OnChange(o => changed.TrySetResult(o.Greeting));
        await Put("web", "Greeting", "Hi there");

        Assert.Equal("Hi there", await changed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("Hi there", monitor.CurrentValue.Greeting);
    }

    [Fact]
    public async Task ADeletedKeyIsRemovedAndASharedValueShowsThroughAgain()
    {
        await Put("shared", "Mode", "shared");
        await Put("web", "Mode", "own");
        await Put("web", "Flag", "on");
        using var config = Build();
        Assert.Equal("on", config["Flag"]);

        var reloaded = NextReload(config);
        await Delete("web", "Flag");
        await reloaded.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(config["Flag"]);
        Assert.DoesNotContain(config.AsEnumerable(), p => p.Key == "Flag");

        reloaded = NextReload(config);
        await Delete("web", "Mode");
        await reloaded.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("shared", config["Mode"]);
    }

    [Fact]
    public async Task DisposingTheConfigurationStopsFollowing()
    {
        using var handler = new CountingHandler();
        var config = Build(o => o.HttpHandler = handler);
        await RunningProject.WaitUntilAsync(() => handler.InFlight == 2, "a blocking query per namespace is waiting");

        config.Dispose();

        Assert.Equal(0, handler.InFlight);
        var sent = handler.Started;
        await Put("web", "Greeting", "after dispose");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(sent, handler.Started);
        Assert.Null(config["Greeting"]);
    }

    [Fact]
    public async Task AWebApplicationStopsFollowingWhenItIsDisposed()
    {
        await Put("web", "Greeting", "Hi there");
        using var handler = new CountingHandler();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddAutonomy(o =>
        {
            Configure(o);
            o.HttpHandler = handler;
        });
        var app = builder.Build();
        Assert.Equal("Hi there", app.Configuration["Greeting"]);
        await RunningProject.WaitUntilAsync(() => handler.InFlight == 2, "a blocking query per namespace is waiting");

        await app.DisposeAsync();

        Assert.Equal(0, handler.InFlight);
        var sent = handler.Started;
        await Put("web", "Greeting", "after shutdown");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(sent, handler.Started);
    }

    [Fact]
    public async Task AServerThatStopsKeepsTheLastValuesAndIsFollowedAgainWhenItIsBack()
    {
        // A replica's token dies with the server, so this one reads with the admin token, which the restarted server keeps.
        await Put("web", "Greeting", "before");
        using var config = Build(o =>
        {
            o.Token = ServerRecord.AdminToken(_server.Plane.StateDirectory);
            o.WaitTime = TimeSpan.FromSeconds(1);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
        });
        Assert.Equal("before", config["Greeting"]);

        await _server.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("before", config["Greeting"]);

        await _server.StartAgainAsync();
        var reloaded = NextReload(config);
        await Put("web", "Greeting", "after");
        await reloaded.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("after", config["Greeting"]);
    }

    [Fact]
    public async Task ATokenThatMayNotReadANamespaceFailsTheLoadNamingTheServer()
    {
        var wrongToken = Assert.Throws<InvalidOperationException>(() => Build(o => o.Token = "svc_not-a-token"));
        Assert.Contains(_server.BaseAddress.ToString(), wrongToken.Message, StringComparison.Ordinal);
        Assert.Contains("401", wrongToken.Message, StringComparison.Ordinal);

        var otherNamespace = Assert.Throws<InvalidOperationException>(() => Build(o => o.Namespaces = ["shared", "other"]));
        Assert.Contains("'other'", otherNamespace.Message, StringComparison.Ordinal);
        Assert.Contains("403", otherNamespace.Message, StringComparison.Ordinal);

        await Put("web", "Greeting", "still read");
        using var optional = Build(o => { o.Namespaces = ["other", "web"]; o.Optional = true; });
        Assert.Equal("still read", optional["Greeting"]);
    }

    private sealed class GreetingOptions
    {
        public string Greeting { get; set; } = "Hello";
    }
}

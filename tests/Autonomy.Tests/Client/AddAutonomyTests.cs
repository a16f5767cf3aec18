using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace Autonomy.Tests.Client;

/// <summary><c>AddAutonomy</c> without a server: outside Autonomy, and with a server that does not answer.</summary>
public sealed class AddAutonomyTests
{
    private static string ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public void OutsideAutonomyNothingIsAddedUnlessRequired()
    {
        var builder = new ConfigurationBuilder().AddAutonomy(o => o.Url = null);
        Assert.Empty(builder.Sources);

        var required = new ConfigurationBuilder().AddAutonomy(o => { o.Url = null; o.Optional = false; });
        var error = Assert.Throws<InvalidOperationException>(() => required.Build());
        Assert.Contains("AUTONOMY_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreachableServerFailsARequiredLoadNamingItsAddress()
    {
        var url = ClosedPortUrl();
        var builder = new ConfigurationBuilder().AddAutonomy(o =>
        {
            o.Url = url;
            o.Token = "t";
            o.Service = "web";
            o.Optional = false;
        });
        var error = Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("'shared'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreachableServerLeavesAnOptionalSourceEmptyAndTheApplicationRunning()
    {
        var url = ClosedPortUrl();
        using var config = (ConfigurationRoot)new ConfigurationBuilder().AddAutonomy(o =>
        {
            o.Url = url;
            o.Token = "t";
            o.Service = "web";
        }).Build();
        Assert.Empty(config.AsEnumerable());
        Assert.Contains(config.Providers, p => p.ToString()!.Contains(url, StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutAServiceTheNamespacesMustBeGiven()
    {
        var builder = new ConfigurationBuilder().AddAutonomy(o =>
        {
            o.Url = ClosedPortUrl();
            o.Token = "t";
            o.Service = null;
            o.Optional = false;
        });
        Assert.Contains("AUTONOMY_SERVICE", Assert.Throws<InvalidOperationException>(() => builder.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImpossibleOptionsAreRefusedAtOnce()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfigurationBuilder().AddAutonomy(o => o.WaitTime = TimeSpan.FromMinutes(11)));
        Assert.Throws<ArgumentException>(() => new ConfigurationBuilder().AddAutonomy(o => o.Url = "127.0.0.1:7070"));
        Assert.Throws<ArgumentException>(() => new ConfigurationBuilder().AddAutonomy(o => o.Namespaces = []));
    }
}

using Autonomy.Server.Registry;
using Microsoft.Extensions.Time.Testing;

namespace Autonomy.Tests.Registry;

/// <summary>The TTL rules on a clock the test moves: critical exactly when the TTL runs out, removed exactly at deregister_after.</summary>
public sealed class ExternalInstanceClockTests
{
    private static ExternalRegistration Registration => new()
    {
        Service = "payments",
        Id = "vm-1",
        Address = "10.0.0.5",
        Port = 9000,
        Ttl = TimeSpan.FromSeconds(10),
        DeregisterAfter = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task TheTtlCountsFromTheLastHeartbeatAndDeregisterAfterFromTheLastToo()
    {
        var clock = new FakeTimeProvider();
        var registry = new ServiceRegistry();
        await using var instances = ExternalInstances.InMemory(registry, clock);
        await instances.RegisterAsync(Registration, null, CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(9.9));
        await instances.SweepAsync();
        Assert.Equal(RegistryHealth.Passing, registry.Find("payments", "vm-1")!.Health);

        // A heartbeat just in time starts the TTL again.
        Assert.NotNull(instances.Heartbeat("payments", "vm-1"));
        var index = registry.Index;
        clock.Advance(TimeSpan.FromSeconds(9.9));
        await instances.SweepAsync();
        Assert.Equal(RegistryHealth.Passing, registry.Find("payments", "vm-1")!.Health);
        // Heartbeats that change nothing are no change: blocking reads and streams stay asleep.
        instances.Heartbeat("payments", "vm-1");
        Assert.Equal(index, registry.Index);

        clock.Advance(TimeSpan.FromSeconds(10));
        await instances.SweepAsync();
        Assert.Equal(RegistryHealth.Critical, registry.Find("payments", "vm-1")!.Health);
        Assert.Empty(registry.Instances("payments"));

        clock.Advance(TimeSpan.FromSeconds(49.9));
        await instances.SweepAsync();
        Assert.NotNull(registry.Find("payments", "vm-1"));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        await instances.SweepAsync();
        Assert.Null(registry.Find("payments", "vm-1"));
        Assert.Null(instances.Heartbeat("payments", "vm-1"));
    }

    [Fact]
    public async Task AnIdAReplicaTookIsLeftToTheReplica()
    {
        var clock = new FakeTimeProvider();
        var registry = new ServiceRegistry();
        await using var instances = ExternalInstances.InMemory(registry, clock);
        await instances.RegisterAsync(Registration, null, CancellationToken.None);
        registry.Put(new RegistryEntry { Service = "payments", Id = "vm-1", Address = "127.0.0.1", Port = 4000, Health = RegistryHealth.Passing });

        clock.Advance(TimeSpan.FromMinutes(2));
        await instances.SweepAsync();
        Assert.Equal((RegistrySources.Autonomy, RegistryHealth.Passing), (registry.Find("payments", "vm-1")!.Source, registry.Find("payments", "vm-1")!.Health));
    }
}

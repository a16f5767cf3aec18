using Autonomy.Server.Registry;

namespace Autonomy.Tests.Registry;

public sealed class ServiceRegistryTests
{
    private static RegistryEntry Entry(string id, int port, RegistryHealth health = RegistryHealth.Passing) =>
        new() { Service = "orders", Id = id, Address = "127.0.0.1", Port = port, Health = health };

    [Fact]
    public void Only_passing_instances_that_are_not_draining_are_in_rotation_and_all_lists_every_one()
    {
        var registry = new ServiceRegistry();
        registry.Put(Entry("orders-1", 1001));
        registry.Put(Entry("orders-2", 1002, RegistryHealth.Critical));
        registry.Put(Entry("orders-3", 1003, RegistryHealth.Starting));
        registry.Put(Entry("orders-4", 1004) with { Draining = true });

        Assert.Equal(["orders-1"], registry.Instances("orders").Select(e => e.Id));
        Assert.Equal(["orders-1", "orders-2", "orders-3", "orders-4"], registry.Instances("orders", all: true).Select(e => e.Id));
        Assert.Empty(registry.Instances("payments"));
    }

    [Fact]
    public void Each_change_raises_the_index_once_and_an_identical_put_is_not_a_change()
    {
        var registry = new ServiceRegistry();
        var start = registry.Index;
        var first = registry.Put(Entry("orders-1", 1001));
        Assert.Equal(start + 1, first.ModifyIndex);
        Assert.Same(first, registry.Put(Entry("orders-1", 1001)));
        Assert.Equal(start + 1, registry.Index);

        registry.Update("orders", "orders-1", e => e with { Health = RegistryHealth.Critical });
        Assert.True(registry.Remove("orders", "orders-1"));
        Assert.False(registry.Remove("orders", "orders-1"));
        Assert.Equal(start + 3, registry.Index);

        var changes = registry.ChangesAfter(start)!;
        Assert.Equal([start + 1, start + 2, start + 3], changes.Select(c => c.Index));
        Assert.Null(changes[^1].Entry);
        Assert.Equal(RegistryHealth.Critical, changes[1].Entry!.Health);
    }

    [Fact]
    public async Task A_wait_on_the_current_index_completes_at_the_next_change_and_not_before()
    {
        var registry = new ServiceRegistry();
        var wait = registry.WhenChangedAfter(registry.Index, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        registry.Put(Entry("orders-1", 1001));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(registry.WhenChangedAfter(registry.Index - 1, CancellationToken.None).IsCompleted);
    }
}

using System.Threading.Channels;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Tests.Messaging.Engine;

/// <summary>A consumer's sink that keeps what it is given, for a test to read in order.</summary>
internal sealed class CollectingSink : IDeliverySink
{
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();
    private readonly List<string> _cancelled = [];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public IReadOnlyList<string> Cancelled { get { lock (_cancelled) { return [.. _cancelled]; } } }

    public Action<Delivery>? OnDeliver { get; set; }

    public void Deliver(Delivery delivery)
    {
        Interlocked.Increment(ref _count);
        OnDeliver?.Invoke(delivery);
        _deliveries.Writer.TryWrite(delivery);
    }

    void IDeliverySink.Cancelled(string consumerTag)
    {
        lock (_cancelled)
        {
            _cancelled.Add(consumerTag);
        }
    }

    public async Task<Delivery> NextAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        return await _deliveries.Reader.ReadAsync(timeout.Token);
    }

    public async Task<List<Delivery>> TakeAsync(int count, int timeoutMs = 10_000)
    {
        var taken = new List<Delivery>();
        while (taken.Count < count)
        {
            taken.Add(await NextAsync(timeoutMs));
        }
        return taken;
    }

    /// <summary>True when nothing more arrives within <paramref name="ms"/>.</summary>
    public async Task<bool> QuietForAsync(int ms = 200)
    {
        using var timeout = new CancellationTokenSource(ms);
        try
        {
            await _deliveries.Reader.WaitToReadAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Autonomy.Server.Messaging.Engine;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Http;

/// <summary>
/// The messages the HTTP API has handed out and not yet settled. Each receive takes its messages through an
/// engine session of its own and holds them for the lease: each gets a receipt (128 random bits, so that no
/// one can settle what they were not given) to ack or nack it with, and when the lease ends whatever is left
/// is nacked with requeue and comes back redelivered. A receipt that was settled or expired is remembered a
/// while, so that a late ack is told what happened instead of "unknown".
/// </summary>
internal sealed class LeaseBook(TimeProvider time) : IAsyncDisposable
{
    /// <summary>How long a settled or expired receipt is remembered, and how many at most.</summary>
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(10);
    private const int RememberAtMost = 100_000;

    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Ended> _ended = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Receipt, DateTimeOffset At)> _endedOrder = new();
    private readonly ConcurrentDictionary<Lease, byte> _open = new();
    private bool _disposed;

    /// <summary>Up to <paramref name="max"/> messages of the queue, waiting up to <paramref name="wait"/> for the first, each held for <paramref name="lease"/>.</summary>
    public async Task<IReadOnlyList<(string Receipt, Delivery Delivery)>> ReceiveAsync(VirtualHost vhost, string queue, int max, TimeSpan wait, TimeSpan lease,
        CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = vhost.OpenSession();
        IReadOnlyList<Delivery> deliveries;
        try
        {
            deliveries = await session.ReceiveAsync(queue, max, wait, ct);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
        if (deliveries.Count == 0)
        {
            await session.DisposeAsync();
            return [];
        }
        var held = new Lease(session, vhost.Name, queue, time.GetUtcNow() + lease);
        var handed = new List<(string, Delivery)>(deliveries.Count);
        foreach (var delivery in deliveries)
        {
            var receipt = NewReceipt();
            held.Outstanding[delivery.DeliveryTag] = receipt;
            _held[receipt] = new Held(held, delivery.DeliveryTag);
            handed.Add((receipt, delivery));
        }
        _open[held] = 0;
        held.Timer = time.CreateTimer(state => _ = ExpireAsync((Lease)state!), held, lease, Timeout.InfiniteTimeSpan);
        return handed;
    }

    /// <summary>
    /// What is wrong with settling these receipts of the queue, or null when all can be: the unknown ones
    /// (never handed out here, or of another queue) and those no longer held (expired, or settled already).
    /// </summary>
    public SettleProblem? Check(string vhost, string queue, IReadOnlyCollection<string> receipts)
    {
        var unknown = new List<string>();
        var ended = new List<(string Receipt, Ended Ended)>();
        foreach (var receipt in receipts)
        {
            if (_held.TryGetValue(receipt, out var held) && held.Lease.Vhost == vhost && held.Lease.Queue == queue)
            {
                continue;
            }
            if (_ended.TryGetValue(receipt, out var end) && end.Vhost == vhost && end.Queue == queue)
            {
                ended.Add((receipt, end));
            }
            else
            {
                unknown.Add(receipt);
            }
        }
        return unknown.Count > 0 || ended.Count > 0 ? new SettleProblem(unknown, ended) : null;
    }

    /// <summary>
    /// Acks (<paramref name="requeue"/> null) or nacks the receipts, which <see cref="Check"/> found held; one
    /// whose lease ended meanwhile is returned as a problem, and the others are settled still.
    /// </summary>
    public async Task<SettleProblem?> SettleAsync(IReadOnlyCollection<string> receipts, bool? requeue, TimeSpan? delay)
    {
        var late = new List<(string, Ended)>();
        var byLease = receipts.Select(r => (Receipt: r, Held: _held.TryGetValue(r, out var h) ? h : null)).GroupBy(x => x.Held?.Lease);
        foreach (var group in byLease)
        {
            if (group.Key is not { } lease)
            {
                late.AddRange(group.Select(x => (x.Receipt, _ended.TryGetValue(x.Receipt, out var e) ? e : new Ended("expired", time.GetUtcNow(), "", ""))));
                continue;
            }
            var finished = false;
            lock (lease.Gate)
            {
                foreach (var (receipt, held) in group)
                {
                    if (lease.Closed || !lease.Outstanding.Remove(held!.Tag))
                    {
                        late.Add((receipt, _ended.TryGetValue(receipt, out var e) ? e : new Ended("expired", time.GetUtcNow(), lease.Vhost, lease.Queue)));
                        continue;
                    }
                    if (requeue is { } back)
                    {
                        lease.Session.Nack(held.Tag, multiple: false, requeue: back, delay);
                    }
                    else
                    {
                        lease.Session.Ack(held.Tag, multiple: false);
                    }
                    _held.TryRemove(receipt, out _);
                    RememberEnded(receipt, new Ended(requeue is null ? "acknowledged" : "rejected", time.GetUtcNow(), lease.Vhost, lease.Queue));
                }
                if (!lease.Closed && lease.Outstanding.Count == 0)
                {
                    lease.Closed = finished = true;
                }
            }
            if (finished)
            {
                await CloseAsync(lease);
            }
        }
        return late.Count > 0 ? new SettleProblem([], late) : null;
    }

    private async Task ExpireAsync(Lease lease)
    {
        lock (lease.Gate)
        {
            if (lease.Closed)
            {
                return;
            }
            lease.Closed = true;
            foreach (var (tag, receipt) in lease.Outstanding)
            {
                try
                {
                    lease.Session.Nack(tag, multiple: false, requeue: true);
                }
                catch (BrokerException)
                {
                    // Its queue went, or the session already gave it back: closing the session settles the rest.
                }
                _held.TryRemove(receipt, out _);
                RememberEnded(receipt, new Ended("expired", lease.Expires, lease.Vhost, lease.Queue));
            }
            lease.Outstanding.Clear();
        }
        await CloseAsync(lease);
    }

    private async Task CloseAsync(Lease lease)
    {
        _open.TryRemove(lease, out _);
        if (lease.Timer is { } timer)
        {
            await timer.DisposeAsync();
        }
        await lease.Session.DisposeAsync();
    }

    private void RememberEnded(string receipt, Ended ended)
    {
        _ended[receipt] = ended;
        _endedOrder.Enqueue((receipt, ended.At));
        var horizon = time.GetUtcNow() - Remember;
        while (_endedOrder.TryPeek(out var oldest) && (oldest.At < horizon || _endedOrder.Count > RememberAtMost) && _endedOrder.TryDequeue(out oldest))
        {
            _ended.TryRemove(oldest.Receipt, out _);
        }
    }

    private static string NewReceipt() => "r_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Gives back every message still held: the server is stopping.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var lease in _open.Keys)
        {
            await ExpireAsync(lease);
        }
    }

    private sealed class Lease(Session session, string vhost, string queue, DateTimeOffset expires)
    {
        public Session Session { get; } = session;
        public string Vhost { get; } = vhost;
        public string Queue { get; } = queue;
        public DateTimeOffset Expires { get; } = expires;
        public Lock Gate { get; } = new();
        public Dictionary<ulong, string> Outstanding { get; } = [];
        public ITimer? Timer { get; set; }
        public bool Closed { get; set; }
    }

    private sealed record Held(Lease Lease, ulong Tag);
}

/// <summary>How a receipt stopped being held: "acknowledged", "rejected" or "expired", and when.</summary>
internal sealed record Ended(string How, DateTimeOffset At, string Vhost, string Queue);

/// <summary>Receipts that could not be settled: those never known here, and those no longer held.</summary>
internal sealed record SettleProblem(IReadOnlyList<string> Unknown, IReadOnlyList<(string Receipt, Ended Ended)> Ended);

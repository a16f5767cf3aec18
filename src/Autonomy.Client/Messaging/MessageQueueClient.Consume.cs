using System.Globalization;
using System.Runtime.CompilerServices;

namespace Autonomy.Client.Messaging;

public sealed partial class MessageQueueClient
{
    /// <summary>
    /// Up to <paramref name="max"/> messages of <paramref name="queue"/>, waiting up to <paramref name="wait"/> for
    /// the first (none when it ends empty), each held for <paramref name="lease"/> (the options' by default).
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int max = 1, TimeSpan? wait = null, TimeSpan? lease = null,
        CancellationToken ct = default)
    {
        var waiting = wait ?? TimeSpan.Zero;
        var path = string.Create(CultureInfo.InvariantCulture,
            $"queues/{Escape(queue)}/messages?max={max}&wait={(long)waiting.TotalMilliseconds}ms&lease={(long)(lease ?? Options.Lease).TotalMilliseconds}ms&encoding=base64");
        using var answer = await SendAsync(HttpMethod.Get, path, null, ct, waiting);
        return [.. answer!.RootElement.EnumerateArray().Select(m => new ReceivedMessage(this, queue, m))];
    }

    /// <summary>
    /// The queue's messages as they come, each held under a lease until acked or nacked (or until the lease
    /// ends: then it goes back to the queue, so make the lease longer than handling a message takes). Asks
    /// with long polls; when the broker cannot be reached it asks again with backoff, and a refusal (no such
    /// queue, no permission) ends the enumeration with a <see cref="MessageQueueException"/>.
    /// </summary>
    public async IAsyncEnumerable<ReceivedMessage> ConsumeAsync(string queue, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<ReceivedMessage> batch;
            try
            {
                batch = await ReceiveAsync(queue, Options.Prefetch, Options.Wait, Options.Lease, ct);
                backoff = TimeSpan.FromMilliseconds(500);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException || e is MessageQueueException { Status: >= 500 })
            {
                await Task.Delay(backoff, ct);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                continue;
            }
            foreach (var message in batch)
            {
                yield return message;
            }
        }
    }
}

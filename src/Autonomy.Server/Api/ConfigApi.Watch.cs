using System.Text.Json;
using Autonomy.Server.Store;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

internal static partial class ConfigApi
{
    // Every watcher of a namespace is handed the same list for a revision, so its bytes are made once, not once per watcher.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<ChangeEvent>, byte[]> FrameCache = [];

    // Keeps proxies and idle timeouts from closing a quiet stream.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Server-Sent Events: an event per changed key. The <c>id</c> (a revision) is sent with the last
    /// key of each revision only, so that a client that reconnects with <c>Last-Event-ID</c> gets any
    /// revision it saw only part of again, whole, and misses nothing.
    /// </summary>
    private static async Task WatchAsync(IConfigStore store, string ns, long? after, HttpContext context)
    {
        var ct = context.RequestAborted;
        var current = store.Namespace(ns)!.Revision;
        var from = after ?? (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), out var resumed) ? resumed : current);
        var response = EventStream.Begin(context.Response);

        await using var changes = store.WatchAsync(ns, from, ct).GetAsyncEnumerator(ct);
        // One writer at a time: the changes, and a comment now and then while they are quiet.
        using var writing = new SemaphoreSlim(1, 1);
        using var quiet = new PeriodicTimer(KeepAlive);
        using var stopKeepAlive = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = Task.CompletedTask;
        try
        {
            var next = changes.MoveNextAsync();
            // The comment says the watch is registered: from here on the client misses nothing.
            await response.BodyWriter.WriteAsync(": ok\n\n"u8.ToArray(), ct);
            keepAlive = KeepAliveAsync(response, writing, quiet, stopKeepAlive.Token);
            while (await next)
            {
                var frames = Frames(changes.Current);
                await writing.WaitAsync(ct);
                try
                {
                    await response.BodyWriter.WriteAsync(frames, ct);
                }
                finally
                {
                    writing.Release();
                }
                // Only writes made while the watch was open: a resumed watch's catching up says nothing of push latency.
                if (changes.Current[0] is { } change && change.Revision > current)
                {
                    Diagnostics.AutonomyMetrics.ConfigPushLatency.Record((DateTimeOffset.UtcNow - change.Time).TotalSeconds,
                        new("namespace", ns), new("delivery", "watch"));
                }
                next = changes.MoveNextAsync();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away, or the server is stopping.
        }
        finally
        {
            await stopKeepAlive.CancelAsync();
            await keepAlive;
        }
    }

    private static async Task KeepAliveAsync(HttpResponse response, SemaphoreSlim writing, PeriodicTimer quiet, CancellationToken ct)
    {
        try
        {
            while (await quiet.WaitForNextTickAsync(ct))
            {
                await writing.WaitAsync(ct);
                try
                {
                    await response.BodyWriter.WriteAsync(": keep-alive\n\n"u8.ToArray(), ct);
                }
                finally
                {
                    writing.Release();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The SSE frames of one revision: an event per key, the id on the last.</summary>
    private static byte[] Frames(IReadOnlyList<ChangeEvent> revision) => FrameCache.GetValue(revision, changes =>
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < changes.Count; i++)
        {
            if (i == changes.Count - 1)
            {
                text.Append("id: ").Append(changes[i].Revision).Append('\n');
            }
            text.Append("event: change\ndata: ").Append(JsonSerializer.Serialize(ChangeView.From(changes[i]), Json)).Append("\n\n");
        }
        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    });
}

using System.Text;
using System.Text.Json;
using Autonomy.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

internal static partial class RegistryApi
{
    // Keeps proxies and idle timeouts from closing a quiet stream, as the config watch does.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Server-Sent Events of one service's instances: <c>snapshot</c> (every instance, when the stream starts without a
    /// position or its position is older than the registry keeps), then <c>put</c> (an instance added or changed) and
    /// <c>delete</c> (one removed). Each event's <c>id</c> is the registry index it brings the client to, so that
    /// <c>Last-Event-ID</c> (or <c>?after=</c>) resumes exactly there.
    /// </summary>
    private static async Task StreamAsync(ServiceRegistry registry, string service, long? after, HttpContext context)
    {
        var ct = context.RequestAborted;
        long? from = after ?? (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), out var resumed) ? resumed : null);
        var response = EventStream.Begin(context.Response);
        using var writing = new SemaphoreSlim(1, 1);
        using var stopKeepAlive = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = Task.CompletedTask;
        try
        {
            await response.BodyWriter.WriteAsync(": ok\n\n"u8.ToArray(), ct);
            keepAlive = KeepAliveAsync(response, writing, stopKeepAlive.Token);
            // A position from before a server restart is above today's index: it cannot be resumed.
            var position = from is { } known && known <= registry.Index ? known : -1;
            while (true)
            {
                var changes = position < 0 ? null : registry.ChangesAfter(position);
                var text = new StringBuilder();
                if (changes is null)
                {
                    // The index first, then the list: a change in between is sent again after it, which a client applies twice harmlessly.
                    position = registry.Index;
                    var snapshot = new ServiceInstances(service, position, registry.Instances(service, all: true).Select(InstanceView.From).ToList());
                    Frame(text, position, "snapshot", JsonSerializer.Serialize(snapshot, Json));
                }
                else
                {
                    foreach (var change in changes.Where(c => c.Service == service))
                    {
                        Frame(text, change.Index, change.Entry is null ? "delete" : "put", change.Entry is { } entry
                            ? JsonSerializer.Serialize(InstanceView.From(entry), Json)
                            : JsonSerializer.Serialize(new Removal(change.Service, change.Id, change.Index), Json));
                    }
                    position = changes.Count > 0 ? changes[^1].Index : position;
                }
                if (text.Length > 0)
                {
                    await WriteAsync(response, writing, Encoding.UTF8.GetBytes(text.ToString()), ct);
                }
                await registry.WhenChangedAfter(position, ct);
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

    private static void Frame(StringBuilder text, long id, string name, string data) =>
        text.Append("id: ").Append(id).Append("\nevent: ").Append(name).Append("\ndata: ").Append(data).Append("\n\n");

    private static async Task WriteAsync(HttpResponse response, SemaphoreSlim writing, byte[] bytes, CancellationToken ct)
    {
        await writing.WaitAsync(ct);
        try
        {
            await response.BodyWriter.WriteAsync(bytes, ct);
        }
        finally
        {
            writing.Release();
        }
    }

    private static async Task KeepAliveAsync(HttpResponse response, SemaphoreSlim writing, CancellationToken ct)
    {
        using var quiet = new PeriodicTimer(KeepAlive);
        try
        {
            while (await quiet.WaitForNextTickAsync(ct))
            {
                await WriteAsync(response, writing, ": keep-alive\n\n"u8.ToArray(), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    internal sealed record Removal(string Service, string Id, long ModifyIndex);
}

using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    // A tail that cannot keep up loses messages from its view (never from the queue), and says how many.
    private const int TailBuffer = 1000;

    private static readonly TimeSpan TailKeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// <c>GET …/queues/{name}/tail</c>: Server-Sent Events, one <c>message</c> event for each message that enters
    /// the queue from now on, taking none of them (consumers get them as before); a <c>dropped</c> event says
    /// how many this view skipped when the client read too slowly.
    /// </summary>
    private static void MapTail(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;
        mq.MapGet("/vhosts/{vhost}/queues/{name}/tail", async (string vhost, string name, HttpContext context) =>
        {
            VirtualHostTap? tap = null;
            var early = await Guard(() =>
            {
                if (Refuse(context, permissions, vhost, Operation.Read, "queue", name) is { } refused)
                {
                    return refused;
                }
                tap = new VirtualHostTap(plane.Broker.GetVirtualHost(vhost), name);
                return Results.Empty;
            });
            if (tap is null)
            {
                await early.ExecuteAsync(context);
                return;
            }
            using (tap)
            {
                await StreamAsync(context, tap);
            }
        }).Requires("messaging:read:{vhost}");
    }

    private static async Task StreamAsync(HttpContext context, VirtualHostTap tap)
    {
        var ct = context.RequestAborted;
        var response = EventStream.Begin(context.Response);
        try
        {
            // The comment says the tap is in place: from here on the client misses nothing that enters the queue.
            await response.WriteAsync(": ok\n\n", ct);
            await response.Body.FlushAsync(ct);
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                quiet.CancelAfter(TailKeepAlive);
                bool ready;
                try
                {
                    ready = await tap.Messages.WaitToReadAsync(quiet.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    continue;
                }
                if (!ready)
                {
                    return;
                }
                var text = new StringBuilder();
                while (tap.Messages.TryRead(out var delivery))
                {
                    var view = MessagingViews.Message(null, delivery, "auto");
                    text.Append("event: message\ndata: ").Append(JsonSerializer.Serialize(new
                    {
                        queue = delivery.Queue,
                        exchange = view.Exchange,
                        routing_key = view.RoutingKey,
                        properties = view.Properties,
                        payload = view.Payload,
                        payload_encoding = view.PayloadEncoding,
                        payload_bytes = view.PayloadBytes,
                    }, Json)).Append("\n\n");
                }
                if (tap.TakeDropped() is var dropped and > 0)
                {
                    text.Append("event: dropped\ndata: {\"count\":").Append(dropped).Append("}\n\n");
                }
                await response.WriteAsync(text.ToString(), ct);
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away (Ctrl-C), or the server is stopping.
        }
    }

    /// <summary>The engine's tap on a queue, feeding a bounded buffer that the stream reads.</summary>
    private sealed class VirtualHostTap : IDisposable
    {
        private readonly Channel<Delivery> _messages;
        private readonly IDisposable _tap;
        private long _dropped;

        public VirtualHostTap(Messaging.Engine.VirtualHost vhost, string queue)
        {
            vhost.GetQueue(queue);
            _messages = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(TailBuffer)
            {
                FullMode = BoundedChannelFullMode.DropWrite,
                SingleReader = true,
            }, _ => Interlocked.Increment(ref _dropped));
            _tap = vhost.Tap(queue, delivery => _messages.Writer.TryWrite(delivery));
        }

        public ChannelReader<Delivery> Messages => _messages.Reader;

        public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

        public void Dispose()
        {
            _tap.Dispose();
            _messages.Writer.TryComplete();
        }
    }
}

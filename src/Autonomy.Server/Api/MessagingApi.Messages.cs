using System.Text.Json;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MinLease = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxLease = TimeSpan.FromHours(12);
    private const int MaxMessages = 1000;
    private const int MaxDelayMs = int.MaxValue;

    /// <summary>
    /// Receiving under a lease: <c>GET …/queues/{name}/messages?max=&amp;wait=&amp;lease=</c> answers as soon as
    /// there is a message (or when <c>wait</c> ends, with none), each with a receipt; <c>POST …/ack</c> and
    /// <c>POST …/nack</c> <c>{receipts, requeue, delay_ms}</c> settle them. What is not settled when the lease
    /// ends goes back to the queue, redelivered. An expired receipt is 409, an unknown one 404.
    /// </summary>
    private static void MapMessages(RouteGroupBuilder mq, ControlPlane plane)
    {
        var permissions = plane.BrokerUsers.Permissions;
        var leases = plane.Leases;

        mq.MapGet("/vhosts/{vhost}/queues/{name}/messages", (string vhost, string name, HttpContext context) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Read, "queue", name) is { } refused)
            {
                return refused;
            }
            var request = context.Request;
            var max = Count(request, "max", 1, 1, MaxMessages);
            var wait = Duration(request, "wait", TimeSpan.Zero, TimeSpan.Zero, MaxWait);
            var lease = Duration(request, "lease", DefaultLease, MinLease, MaxLease);
            var encoding = request.Query["encoding"].ToString() is { Length: > 0 } e ? e : "auto";
            if (encoding is not ("auto" or "base64"))
            {
                throw new InvalidBodyException("encoding", $"encoding is '{encoding}'; payloads are shown as text when they are (auto, the default) or always as base64");
            }
            var host = plane.Broker.GetVirtualHost(vhost);
            host.GetQueue(name);
            IReadOnlyList<(string Receipt, Messaging.Model.Delivery Delivery)> received;
            try
            {
                received = await leases.ReceiveAsync(host, name, max, wait, lease, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return Results.Empty;
            }
            if (context.RequestAborted.IsCancellationRequested)
            {
                // Nobody is there to take them: back to the queue now rather than at the lease's end.
                await leases.SettleAsync([.. received.Select(r => r.Receipt)], requeue: true, delay: null);
                return Results.Empty;
            }
            return Ok(received.Select(r => MessagingViews.Message(r.Receipt, r.Delivery, encoding)));
        })).Requires("messaging:consume:{vhost}");

        mq.MapPost("/vhosts/{vhost}/queues/{name}/ack", (string vhost, string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Read, "queue", name) is { } refused)
            {
                return refused;
            }
            var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
            var receipts = Receipts(body);
            body.EnsureNoOthers();
            return await SettleAsync(leases, vhost, name, receipts, requeue: null, delay: null, "acknowledged");
        })).Requires("messaging:consume:{vhost}").WithoutAudit();

        mq.MapPost("/vhosts/{vhost}/queues/{name}/nack", (string vhost, string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (Refuse(context, permissions, vhost, Operation.Read, "queue", name) is { } refused)
            {
                return refused;
            }
            var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
            var receipts = Receipts(body);
            var requeue = body.Bool("requeue") ?? true;
            var delay = body.Integer("delay_ms", 0, MaxDelayMs) is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            body.EnsureNoOthers();
            if (delay is not null && !requeue)
            {
                throw new InvalidBodyException("delay_ms", "delay_ms is for a message that goes back to the queue; with requeue false it is dead-lettered (or dropped) at once");
            }
            return await SettleAsync(leases, vhost, name, receipts, requeue, delay, requeue ? "requeued" : "rejected");
        })).Requires("messaging:consume:{vhost}").WithoutAudit();
    }

    private static List<string> Receipts(JsonFields body)
    {
        if (body.Get("receipts") is not { ValueKind: JsonValueKind.Array } list)
        {
            throw new InvalidBodyException("receipts", "receipts is missing: give the receipts of the messages, as a list of strings (\"receipts\": [\"r_…\"])");
        }
        var receipts = new List<string>();
        foreach (var item in list.EnumerateArray())
        {
            receipts.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw body.Wrong($"receipts[{receipts.Count}]", "a receipt (a string)", item));
        }
        return receipts.Count > 0 ? [.. receipts.Distinct(StringComparer.Ordinal)] : throw new InvalidBodyException("receipts", "receipts is empty: give at least one");
    }

    private static async Task<IResult> SettleAsync(LeaseBook leases, string vhost, string queue, IReadOnlyCollection<string> receipts, bool? requeue, TimeSpan? delay,
        string done)
    {
        if (leases.Check(vhost, queue, receipts) is { } refused)
        {
            return NotSettled(refused, othersSettled: false);
        }
        return await leases.SettleAsync(receipts, requeue, delay) is { } late
            ? NotSettled(late, othersSettled: late.Ended.Count < receipts.Count)
            : Ok(new Dictionary<string, int> { [done] = receipts.Count });

        IResult NotSettled(SettleProblem problem, bool othersSettled) => problem.Unknown.Count > 0 ? Unknown(problem) : NoLongerHeld(problem, othersSettled);

        IResult Unknown(SettleProblem problem) =>
            Results.Problem(type: "urn:autonomy:problem:mq-unknown-receipt", title: "Unknown receipt", statusCode: 404,
                detail: $"{Name(problem.Unknown)} not known for queue '{queue}' in vhost '{vhost}': it was never handed out by this server, belongs to another queue, " +
                    "or was given out before the server restarted (then its message is back in the queue); nothing was settled",
                extensions: new Dictionary<string, object?> { ["receipts"] = problem.Unknown });

        IResult NoLongerHeld(SettleProblem problem, bool othersSettled)
        {
            var (first, ended) = problem.Ended[0];
            var what = ended.How == "expired"
                ? $"its lease ended at {ended.At:u}, and the message went back to the queue, where it may have been delivered again: settle it with the receipt of that delivery"
                : $"it was {ended.How} at {ended.At:u}";
            return Results.Problem(type: "urn:autonomy:problem:mq-receipt-ended", title: "The receipt is no longer held", statusCode: 409,
                detail: $"{Name([.. problem.Ended.Select(e => e.Receipt)])} no longer held ({first}: {what}); " +
                    (othersSettled ? "the other receipts were settled" : "nothing was settled"),
                extensions: new Dictionary<string, object?> { ["receipts"] = problem.Ended.Select(e => new { receipt = e.Receipt, ended = e.Ended.How, at = e.Ended.At }) });
        }

        static string Name(IReadOnlyList<string> receipts) =>
            receipts.Count == 1 ? $"receipt '{receipts[0]}' is" : $"{receipts.Count} receipts ('{receipts[0]}', …) are";
    }
}

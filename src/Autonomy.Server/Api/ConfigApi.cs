using System.Text;
using System.Text.Json;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Config;
using Autonomy.Server.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

/// <summary>
/// The config center's HTTP API under <c>/v1/config</c>: namespaces, keys (raw values, their content
/// type from the request's), transactions with compare-and-set, history, rollback, diffs, blocking
/// reads (<c>?index=&amp;wait=</c>) and Server-Sent Events that resume from <c>Last-Event-ID</c>.
/// </summary>
internal static partial class ConfigApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The longest a blocking read may wait, as Consul caps its own.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    public static void Map(WebApplication app, ConfigCenter center, CanaryReleases canaries)
    {
        var store = center.Store;
        var config = app.MapGroup("/v1/config");

        config.MapGet("", () => Results.Json(store.Namespaces().Select(n => new { name = n.Name, revision = n.Revision, keys = n.Keys }), Json)).Requires("config:read");

        config.MapPut("/{ns}", async (string ns, HttpContext context, CancellationToken ct) =>
        {
            if (ConfigNames.CheckNamespace(ns) is { } problem)
            {
                return Problems.Of(400, "invalid-namespace", "Invalid namespace name", problem);
            }
            var existed = store.Namespace(ns) is not null;
            var revision = await store.CreateNamespaceAsync(ns, TokenAuthorization.CallerOf(context).Actor, ct);
            return Results.Json(new { name = ns, revision }, Json, statusCode: existed ? 200 : 201);
        }).Requires("config:write:{ns}");

        config.MapGet("/{ns}", async (string ns, string? prefix, long? index, string? wait, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            var replica = TokenAuthorization.CallerOf(context).Replica;
            if (index is { } after)
            {
                if (ParseWait(wait) is not { } timeout)
                {
                    return Problems.Of(400, "invalid-wait", "Invalid wait", $"wait is '{wait}'; give a duration such as 30s or 5m, at most 10m");
                }
                // A replica also wakes when a canary that may concern it starts or ends.
                var canaryChanged = replica is null ? Task.Delay(Timeout.Infinite, ct) : canaries.WhenChanged;
                if (ViewIndex(store, canaries, ns, replica) <= after)
                {
                    await Task.WhenAny(store.WaitAsync(ns, after, timeout, ct), canaryChanged);
                }
            }
            var entries = store.List(ns, prefix);
            if (canaries.For(ns, replica) is { } canary)
            {
                entries = [.. CanaryReleases.Overlay(entries, canary).Where(e => prefix is null || e.Key.StartsWith(prefix, StringComparison.Ordinal))];
            }
            var revision = ViewIndex(store, canaries, ns, replica);
            context.Response.Headers["X-Autonomy-Index"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { @namespace = ns, revision, entries = entries.Select(EntryView.From) }, Json);
        }).Requires("config:read:{ns}");

        config.MapGet("/{ns}/keys/{*key}", (string ns, string key, HttpContext context) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            var entry = canaries.For(ns, TokenAuthorization.CallerOf(context).Replica) is { } canary
                ? CanaryReleases.Overlay(store.List(ns, key), canary).FirstOrDefault(e => e.Key == key)
                : store.Get(ns, key);
            return entry is null
                ? Problems.Of(404, "unknown-key", "No such key", $"namespace '{ns}' has no key '{key}'")
                : Results.Bytes(EntryJson(entry), "application/json");
        }).Requires("config:read:{ns}");

        config.MapPut("/{ns}/keys/{*key}", async (string ns, string key, long? cas, HttpContext context, CancellationToken ct) =>
        {
            if ((Known(store, ns) ?? CheckKey(key)) is { } problem)
            {
                return problem;
            }
            if (await ReadValueAsync(context.Request, ct) is not { } value)
            {
                return Problems.Of(413, "value-too-large", "The value is too large", $"a value may be at most {ConfigNames.MaxValueBytes} bytes");
            }
            var transaction = new StoreTransaction(ns, [StoreOperation.Put(key, value, ContentTypeOf(context.Request))], TokenAuthorization.CallerOf(context).Actor)
            {
                Compares = cas is { } expected ? [new StoreCompare(key, expected)] : [],
                Audit = RequestAudit.Claim(context),
            };
            return Committed(await store.CommitAsync(transaction, ct));
        }).Requires("config:write:{ns}");

        config.MapDelete("/{ns}/keys/{*key}", async (string ns, string key, long? cas, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            var transaction = new StoreTransaction(ns, [StoreOperation.Delete(key)], TokenAuthorization.CallerOf(context).Actor)
            {
                Compares = cas is { } expected ? [new StoreCompare(key, expected)] : [],
                Audit = RequestAudit.Claim(context),
            };
            return Committed(await store.CommitAsync(transaction, ct));
        }).Requires("config:write:{ns}");

        config.MapPost("/{ns}/txn", async (string ns, TransactionRequest request, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (CheckOperations(request.Operations) is { } bad)
            {
                return bad;
            }
            var operations = (request.Operations ?? []).Select(op => op.Op == "delete"
                ? StoreOperation.Delete(op.Key!)
                : StoreOperation.Put(op.Key!, op.Value!, op.ContentType ?? StoreOperation.PlainText)).ToList();
            var compares = (request.Compares ?? []).Select(c => new StoreCompare(c.Key, c.Revision)).ToList();
            return Committed(await store.CommitAsync(new StoreTransaction(ns, operations, TokenAuthorization.CallerOf(context).Actor)
            {
                Compares = compares,
                Audit = RequestAudit.Claim(context),
            }, ct));
        }).Requires("config:write:{ns}");

        config.MapGet("/{ns}/history", (string ns, string? key, int? limit) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            var count = Math.Clamp(limit ?? 100, 1, 10_000);
            var changes = key is null
                ? store.NamespaceHistory(ns, count).Select(ChangeView.From)
                : store.History(ns, key, count).Select(v => new ChangeView(v.Key, v.Revision, v.Value, v.Deleted, v.ContentType, v.Time, v.Author));
            return Results.Json(changes, Json);
        }).Requires("config:read:{ns}");

        config.MapPost("/{ns}/rollback", async (string ns, RollbackRequest request, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (request.Revision is not { } revision || revision < 0 || revision > store.Revision)
            {
                return Problems.Of(400, "invalid-revision", "Invalid revision", $"revision must be a revision of this store, from 0 to {store.Revision}");
            }
            var author = TokenAuthorization.CallerOf(context).Actor;
            return await Compacted(async () => Committed(request.Key is { } key
                ? await center.RollbackKeyAsync(ns, key, revision, author, ct)
                : await center.RollbackNamespaceAsync(ns, revision, author, ct)));
        }).Requires("config:write:{ns}");

        config.MapGet("/{ns}/diff", async (string ns, long? from, long? to) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (from is not { } start)
            {
                return Problems.Of(400, "invalid-revision", "Invalid revision", "give from=REVISION (and to=REVISION, the current one if left out)");
            }
            return await Compacted(() => Task.FromResult(Results.Json(center.Diff(ns, start, to ?? store.Revision)
                .Select(d => new { key = d.Key, before = d.Before, after = d.After }), Json)));
        }).Requires("config:read:{ns}");

        MapFormats(config, store);
        MapCanary(config, store, canaries);

        config.MapGet("/{ns}/watch", (string ns, long? after, HttpContext context) => Known(store, ns) is { } unknown
            ? unknown.ExecuteAsync(context)
            : WatchAsync(store, ns, after, context)).Requires("config:read:{ns}");
    }

    /// <summary>
    /// The index of what a caller sees of a namespace: its revision, or for a replica also the
    /// revision at which a canary of it last started or ended, so that a blocking read returns then.
    /// </summary>
    private static long ViewIndex(IConfigStore store, CanaryReleases canaries, string ns, string? replica)
    {
        var revision = store.Namespace(ns)!.Revision;
        return replica is null ? revision : Math.Max(revision, canaries.LastChange(ns));
    }

    private static IResult? Known(IConfigStore store, string ns) =>
        store.Namespace(ns) is null ? Problems.Of(404, "unknown-namespace", "No such namespace", $"there is no config namespace '{ns}'; create it with PUT /v1/config/{ns}") : null;

    // An entry is immutable and read far more often than written: its JSON is made once.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoredEntry, byte[]> EntryCache = [];

    private static byte[] EntryJson(StoredEntry entry) => EntryCache.GetValue(entry, e => JsonSerializer.SerializeToUtf8Bytes(EntryView.From(e), Json));

    /// <summary>What is wrong with the first operation that is not a set (with a value) or a delete of a valid key, or null.</summary>
    private static IResult? CheckOperations(List<OperationRequest>? operations)
    {
        for (var i = 0; i < (operations?.Count ?? 0); i++)
        {
            var op = operations![i];
            if (CheckKey(op.Key ?? "") is { } bad)
            {
                return bad;
            }
            if (op.Op is not ("set" or "delete") || (op.Op == "set" && op.Value is null))
            {
                return Problems.Of(400, "invalid-body", "The request body is not valid", $"operations[{i}]: op must be \"set\" (with a value) or \"delete\"");
            }
        }
        return null;
    }

    private static IResult? CheckKey(string key) =>
        ConfigNames.CheckKey(key) is { } problem ? Problems.Of(400, "invalid-key", "Invalid key", problem) : null;

    private static IResult Committed(CommitResult result) => result.Succeeded
        ? Results.Bytes(Encoding.UTF8.GetBytes($"{{\"revision\":{result.Revision},\"changed\":{(result.Changed ? "true" : "false")}}}"), "application/json")
        : Results.Problem(type: "urn:autonomy:problem:compare-failed", title: "The compare did not hold", statusCode: 409,
            detail: result.FailedCompare!.Key is { } key
                ? $"key '{key}' is at revision {result.FoundRevision}, not {result.FailedCompare.Revision}; read it again and retry"
                : $"the namespace is at revision {result.FoundRevision}, not {result.FailedCompare.Revision}; read it again and retry",
            extensions: new Dictionary<string, object?> { ["revision"] = result.FoundRevision });

    private static async Task<IResult> Compacted(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (RevisionCompactedException e)
        {
            return Problems.Of(410, "revision-compacted", "That history was pruned", e.Message);
        }
    }

    private static TimeSpan? ParseWait(string? wait)
    {
        if (wait is null)
        {
            return TimeSpan.FromMinutes(5);
        }
        return GoDuration.TryParse(wait, out var value) && value >= TimeSpan.Zero && value <= MaxWait ? value : null;
    }

    private static string ContentTypeOf(HttpRequest request)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        // curl -d sends form encoding; a value is not a form.
        return type is null or "" or "application/x-www-form-urlencoded" or "application/octet-stream" ? StoreOperation.PlainText : type;
    }

    /// <summary>The request body as UTF-8 text, or null when it is larger than a value may be.</summary>
    private static async Task<string?> ReadValueAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is { } length)
        {
            // The usual case: the size is known, so the bytes are read straight into one buffer.
            if (length > ConfigNames.MaxValueBytes)
            {
                return null;
            }
            var exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, ct);
            return Encoding.UTF8.GetString(exact);
        }
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > ConfigNames.MaxValueBytes)
                {
                    return null;
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    internal sealed record TransactionRequest(List<OperationRequest>? Operations, List<CompareRequest>? Compares);

    internal sealed record OperationRequest(string? Op, string? Key, string? Value, string? ContentType);

    internal sealed record CompareRequest(string? Key, long Revision);

    internal sealed record RollbackRequest(long? Revision, string? Key);

    internal sealed record EntryView(string Key, string Value, string ContentType, long Revision, long CreateRevision, long Version)
    {
        public static EntryView From(StoredEntry e) => new(e.Key, e.Value, e.ContentType, e.Revision, e.CreateRevision, e.Version);
    }

    internal sealed record ChangeView(string Key, long Revision, string? Value, bool Deleted, string ContentType, DateTimeOffset Time, string Author)
    {
        public static ChangeView From(ChangeEvent c) => new(c.Key, c.Revision, c.Value, c.Deleted, c.ContentType, c.Time, c.Author);
    }
}

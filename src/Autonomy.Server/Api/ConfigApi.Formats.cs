using System.Text;
using Autonomy.Server.Config;
using Autonomy.Server.Config.Formats;
using Autonomy.Server.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class ConfigApi
{
    /// <summary>
    /// Import (one revision for the whole file; with <c>mode=replace</c> keys the file lacks are
    /// deleted in the same revision) and export of a namespace as INI, JSON, YAML, .env or .properties.
    /// </summary>
    private static void MapFormats(RouteGroupBuilder config, IConfigStore store)
    {
        config.MapPost("/{ns}/import", async (string ns, string? format, string? mode, HttpContext context, CancellationToken ct) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (Format(format) is not { } parsed)
            {
                return BadFormat(format);
            }
            if (mode is not (null or "merge" or "replace"))
            {
                return Problems.Of(400, "invalid-mode", "Invalid mode", $"mode is '{mode}'; use merge (the default: keys the file lacks stay) or replace (they are deleted)");
            }
            if (await ReadValueAsync(context.Request, ct) is not { } text)
            {
                return Problems.Of(413, "value-too-large", "The file is too large", $"an import may be at most {ConfigNames.MaxValueBytes} bytes");
            }
            IReadOnlyList<ConfigEntry> entries;
            try
            {
                entries = ConfigFormats.Parse(parsed, text);
            }
            catch (ConfigFormatException e)
            {
                return Results.Problem(type: "urn:autonomy:problem:invalid-file", title: $"The {format} file has errors", statusCode: 400,
                    detail: $"nothing was imported: {e.Message}",
                    extensions: new Dictionary<string, object?> { ["errors"] = e.Errors.Select(x => new { line = x.Line, column = x.Column, message = x.Message, hint = x.Hint }) });
            }
            if (entries.Select(e => ConfigNames.CheckKey(e.Key)).FirstOrDefault(p => p is not null) is { } badKey)
            {
                return Problems.Of(400, "invalid-key", "Invalid key", $"nothing was imported: {badKey}");
            }
            var operations = entries.Select(e => StoreOperation.Put(e.Key, e.Value, e.ContentType)).ToList();
            var imported = entries.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
            var deleted = mode == "replace" ? store.List(ns).Where(e => !imported.Contains(e.Key)).Select(e => e.Key).ToList() : [];
            operations.AddRange(deleted.Select(StoreOperation.Delete));
            var result = await store.CommitAsync(new StoreTransaction(ns, operations, TokenAuthorization.CallerOf(context).Actor) { Audit = RequestAudit.Claim(context) }, ct);
            return Results.Json(new { revision = result.Revision, changed = result.Changed, set = entries.Count, deleted = deleted.Count }, Json);
        }).Requires("config:write:{ns}");

        config.MapGet("/{ns}/export", (string ns, string? format) =>
        {
            if (Known(store, ns) is { } unknown)
            {
                return unknown;
            }
            if (Format(format ?? "json") is not { } parsed)
            {
                return BadFormat(format);
            }
            try
            {
                var text = ConfigFormats.Write(parsed, store.List(ns).Select(e => new ConfigEntry(e.Key, e.Value, e.ContentType)));
                return Results.Text(text, parsed == ConfigFormat.Json ? "application/json" : "text/plain", Encoding.UTF8);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return Problems.Of(409, "cannot-export", $"The namespace cannot be written as {format}", e.Message);
            }
        }).Requires("config:read:{ns}");
    }

    private static ConfigFormat? Format(string? name) => name is not null && ConfigFormats.TryParseName(name, out var format) ? format : null;

    private static IResult BadFormat(string? name) =>
        Problems.Of(400, "invalid-format", "Unknown format", name is null
            ? "say which format the body is in: ?format=ini, json, yaml, env or properties"
            : $"format is '{name}'; use ini, json, yaml, env or properties");
}

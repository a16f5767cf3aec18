using System.Text.Json;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Server.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The secrets API under <c>/v1/secrets</c>. A value goes in as the raw body of a PUT and comes out
/// only from <c>GET /v1/secrets/{name}</c> (the admin, or a replica of a service granted it);
/// listings, histories and errors carry names, versions and key fingerprints, never a value.
/// </summary>
internal static class SecretsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, SecretStore store, SecretFileSync sync, Supervisor supervisor)
    {
        var secrets = app.MapGroup("/v1/secrets");

        secrets.MapGet("", () => Results.Json(SecretListing.Of(store.List(), supervisor.Project), Json)).Requires("secrets:list");

        secrets.MapPut("/{name}", async (string name, HttpContext context, CancellationToken ct) =>
        {
            if (SecretNames.Check(name) is { } invalid)
            {
                return Problems.Of(400, "invalid-secret-name", "Invalid secret name", invalid);
            }
            var value = await ReadValueAsync(context.Request, ct);
            if (value is null)
            {
                return Problems.Of(413, "value-too-large", "The value is too large", $"a secret's value may be at most {SecretNames.MaxValueBytes} bytes");
            }
            if (value.Length == 0)
            {
                return Problems.Of(400, "empty-secret", "The value is empty", "send the secret's value as the request body");
            }
            var existed = store.Exists(name);
            return Guarded(() => Written(store.Set(name, value, TokenAuthorization.CallerOf(context).Actor), existed ? 200 : 201));
        }).Requires("secrets:write:{name}");

        secrets.MapGet("/{name}", (string name, long? version, HttpContext context) => Guarded(() =>
        {
            var (found, value) = store.ReadVersion(name, version);
            context.Response.Headers["X-Autonomy-Secret-Version"] = found.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(value, "application/octet-stream");
        })).Requires("secrets:read:{name}");

        secrets.MapDelete("/{name}", (string name) =>
        {
            if (sync.RunningUsers(name) is { Count: > 0 } users)
            {
                return Problems.Of(409, "secret-in-use", "The secret is in use",
                    $"{string.Join(", ", users.Select(u => $"'{u}'"))} use{(users.Count == 1 ? "s" : "")} secret '{name}' while running; take it out of their secrets: in the compose file and run 'autonomy up', or stop them, then remove it");
            }
            return Guarded(() =>
            {
                store.Remove(name);
                return Results.NoContent();
            });
        }).Requires("secrets:write:{name}");

        secrets.MapGet("/{name}/history", (string name) => Guarded(() => Results.Json(store.History(name), Json))).Requires("secrets:list:{name}");

        secrets.MapPost("/{name}/rollback", (string name, RollbackRequest request, HttpContext context) => request.Version is not { } version
            ? Problems.Of(400, "invalid-version", "Invalid version", "give the version to go back to: {\"version\": N}")
            : Guarded(() => Written(store.Rollback(name, version, TokenAuthorization.CallerOf(context).Actor), 200))).Requires("secrets:write:{name}");

        secrets.MapPost("/rotate-key", () => Guarded(() =>
        {
            var rotation = store.RotateKey();
            return Results.Json(new
            {
                previousFingerprint = rotation.PreviousFingerprint,
                fingerprint = rotation.Fingerprint,
                reencrypted = rotation.Reencrypted,
                origin = rotation.OriginName,
                keyFile = store.Keys.Path,
                // Only when the key lives in the environment: Autonomy cannot keep it, so this answer is the one copy.
                key = rotation.NewKey,
            }, Json);
        })).Requires("secrets:write");
    }

    private static IResult Written(SecretWrite write, int status) =>
        Results.Json(new { name = write.Name, version = write.Version, changed = write.Changed }, Json, statusCode: write.Changed ? status : 200);

    /// <summary>The store's errors as problems; their messages name secrets and keys, never a value.</summary>
    private static IResult Guarded(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (UnknownSecretException e)
        {
            return Problems.Of(404, "unknown-secret", "No such secret", e.Version is null ? $"{e.Message}; create it with 'autonomy secrets set {e.Name} < FILE'" : e.Message);
        }
        catch (MasterKeyException e)
        {
            return Problems.Of(409, "master-key", "The master key does not open the secrets", e.Message);
        }
        catch (SecretIntegrityException e)
        {
            return Problems.Of(409, "secret-integrity", "A secret does not decrypt", e.Message);
        }
    }

    /// <summary>The body's bytes, exactly; null when they are more than a secret may be.</summary>
    private static async Task<byte[]?> ReadValueAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > SecretNames.MaxValueBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > SecretNames.MaxValueBytes)
            {
                return null;
            }
        }
        return buffer.ToArray();
    }

    internal sealed record RollbackRequest(long? Version);
}

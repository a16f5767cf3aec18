using System.Text.Json;
using Autonomy.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// Each service's database under <c>/v1/databases</c>: list, URL, backup, restore and drop. Admin
/// token only (a replica's token gets 403): the URL holds the service's password.
/// </summary>
internal static class DatabaseApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, Databases databases)
    {
        app.MapGet("/v1/databases", () => Results.Json(databases.List(), Json)).Requires("databases:read");
        app.MapGet("/v1/databases/{service}", (string service) =>
            databases.Find(service) is { } view ? Results.Json(view, Json) : Unknown(service)).Requires("databases:read:{service}");
        app.MapGet("/v1/databases/{service}/url", (string service) => Guard(() =>
        {
            var access = databases.Access(service);
            return Task.FromResult(Results.Json(new { url = access.Url, connectionString = access.ConnectionString }, Json));
        })).Requires("databases:manage:{service}");
        app.MapGet("/v1/databases/{service}/backup", async (string service, HttpContext context) =>
        {
            // Made to a temporary file first: an error then is still a problem+json answer, not a cut-off download.
            var temporary = Path.Combine(databases.DataDirectory, $".download-{Guid.NewGuid():N}");
            Directory.CreateDirectory(databases.DataDirectory);
            try
            {
                var result = await Guard(async () =>
                {
                    await using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                    {
                        await databases.BackupAsync(service, file, context.RequestAborted);
                    }
                    return Results.Empty;
                });
                if (result != Results.Empty)
                {
                    await result.ExecuteAsync(context);
                    return;
                }
                context.Response.ContentType = "application/octet-stream";
                await using var read = File.OpenRead(temporary);
                context.Response.ContentLength = read.Length;
                await read.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            finally
            {
                File.Delete(temporary);
            }
        }).Requires("databases:manage:{service}");
        app.MapPost("/v1/databases/{service}/restore", (string service, HttpContext context) => Guard(async () =>
        {
            await databases.RestoreAsync(service, context.Request.Body, context.RequestAborted);
            return Results.Json(databases.Find(service), Json);
        })).Requires("databases:manage:{service}");
        app.MapDelete("/v1/databases/{service}", (string service, CancellationToken ct) => Guard(async () =>
        {
            await databases.DropAsync(service, ct);
            return Results.NoContent();
        })).Requires("databases:manage:{service}");
    }

    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (DatabaseNotFoundException e)
        {
            return Problems.Of(404, "unknown-database", "No such database", e.Message);
        }
        catch (DatabaseInUseException e)
        {
            return Problems.Of(409, "database-in-use", "The database is in use", e.Message);
        }
        catch (DatabaseException e)
        {
            return Problems.Of(502, "database-failed", "The database could not do it", e.Message);
        }
    }

    private static IResult Unknown(string service) => Problems.Of(404, "unknown-database", "No such database", $"no database was made for '{service}' in this project");
}

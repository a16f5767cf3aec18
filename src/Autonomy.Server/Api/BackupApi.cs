using Autonomy.Server.Backup;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// <c>GET /v1/backup</c>: a consistent snapshot of the running project's store, streamed as the
/// backup file itself; the master key its secrets need is named in <c>X-Autonomy-Key-Fingerprint</c>.
/// Restoring is done with the project stopped (<c>autonomy restore</c>), so it has no call here.
/// </summary>
internal static class BackupApi
{
    public static void Map(WebApplication app, string stateDirectory, string project)
    {
        app.MapGet("/v1/backup", (HttpContext context) =>
        {
            var snapshot = Path.Combine(stateDirectory, $"backup.{Guid.NewGuid():N}.tmp");
            BackupInfo info;
            try
            {
                info = StoreBackup.Write(Path.Combine(stateDirectory, "config.db"), snapshot, project);
            }
            catch (BackupException e)
            {
                return Problems.Of(500, "backup-failed", "The backup could not be made", e.Message);
            }
            context.Response.Headers["X-Autonomy-Key-Fingerprint"] = info.KeyFingerprint ?? "";
            context.Response.Headers.CacheControl = "no-store";
            // Deleted once sent (or if the client goes away): the snapshot exists only for this answer.
            var stream = new FileStream(snapshot, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            return Results.Stream(stream, "application/vnd.sqlite3", $"{project}.autonomy-backup");
        }).Requires("backup:read");
    }
}

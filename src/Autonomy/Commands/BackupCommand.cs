using System.CommandLine;
using Autonomy.Console;
using Autonomy.Server.Backup;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy backup -o FILE</c>: the project's whole store (config and its history, secrets still
/// encrypted, tokens, audit) as one consistent snapshot, taken by the server while it runs or from
/// the store directly when it does not. The file is written atomically with mode 0600.
/// </summary>
internal static class BackupCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "The file to write the backup to", Required = true };
        var command = new Command("backup", "Write a consistent snapshot of the project's store (config, history, encrypted secrets) to a file") { output };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            var file = Path.GetFullPath(parse.GetValue(output)!);
            if (!Directory.Exists(Path.GetDirectoryName(file)))
            {
                await System.Console.Error.WriteLineAsync($"error: the folder {Path.GetDirectoryName(file)} does not exist");
                return 1;
            }
            string? fingerprint;
            try
            {
                using var client = context.Client(quiet: true);
                fingerprint = client is null
                    ? StoreBackup.Write(Path.Combine(context.StateDirectory, "config.db"), file, context.Project.Name).KeyFingerprint
                    : await DownloadAsync(client, file, ct);
            }
            catch (Exception e) when (e is BackupException or IOException or UnauthorizedAccessException)
            {
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
            await System.Console.Out.WriteLineAsync($"backup of '{context.Project.Name}' written to {file} ({new FileInfo(file).Length / 1024.0:0.#} KiB)");
            if (fingerprint is not null)
            {
                await System.Console.Error.WriteLineAsync($"its secrets are encrypted with master key {fingerprint}: restoring it needs that key. Keep the key apart from the backups (never in the same place).");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Streams the running server's snapshot into the file (atomically); returns the key fingerprint it names.</summary>
    private static async Task<string?> DownloadAsync(HttpClient client, string file, CancellationToken ct)
    {
        using var response = await client.GetAsync("/v1/backup", HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw new BackupException(ProblemDetail(text) ?? $"the server answered {(int)response.StatusCode}: {text}");
        }
        var temporary = DurableFile.WriteBeside(file, [], DurableFile.OwnerOnly);
        try
        {
            await using (var target = new FileStream(temporary, FileMode.Open, FileAccess.Write))
            {
                await response.Content.CopyToAsync(target, ct);
                target.Flush(flushToDisk: true);
            }
            // What arrived must be a whole backup before it replaces anything.
            var info = StoreBackup.Read(temporary);
            DurableFile.Rename(temporary, file);
            return info.KeyFingerprint;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static string? ProblemDetail(string text)
    {
        try
        {
            using var problem = System.Text.Json.JsonDocument.Parse(text);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

using System.CommandLine;
using System.Text.Json;
using Autonomy.Console;

namespace Autonomy.Commands.Db;

/// <summary>
/// <c>autonomy db backup SERVICE [-o FILE]</c> and <c>autonomy db restore SERVICE FILE</c>: a SQLite
/// database through SQLite's online backup API, a PostgreSQL one through pg_dump and pg_restore.
/// </summary>
internal static class DbBackupCommands
{
    public static Command Backup()
    {
        var service = DbCommand.Service();
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: SERVICE-YYYYMMDD-HHMMSS.db for SQLite, .dump for PostgreSQL)" };
        var command = new Command("backup", "Write a consistent copy of a service's database to a file, while it runs") { service, output };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var name = parse.GetValue(service)!;
            using var info = await client.GetAsync(DbCommand.PathOf(name), ct);
            if (!info.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(info);
            }
            using var view = JsonDocument.Parse(await info.Content.ReadAsStringAsync(ct));
            var extension = view.RootElement.GetProperty("provider").GetString() == "sqlite" ? "db" : "dump";
            var file = Path.GetFullPath(parse.GetValue(output) ?? $"{name}-{DateTime.Now:yyyyMMdd-HHmmss}.{extension}");
            using var response = await client.GetAsync(DbCommand.PathOf(name) + "/backup", HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            // The data is the service's: readable by the owner only, and complete or absent (never a cut-off file under the name).
            var temporary = file + ".partial";
            await using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                await response.Content.CopyToAsync(stream, ct);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, file, overwrite: true);
            await System.Console.Out.WriteLineAsync($"backed up '{name}' to {file} ({new FileInfo(file).Length} bytes)");
            return 0;
        }));
        return command;
    }

    public static Command Restore()
    {
        var service = DbCommand.Service();
        var file = new Argument<string>("FILE") { Description = "A file made by 'autonomy db backup'" };
        var command = new Command("restore", "Replace a service's database with a backup's content") { service, file };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            var name = parse.GetValue(service)!;
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                await System.Console.Error.WriteLineAsync($"error: the backup file '{path}' does not exist");
                return 1;
            }
            await using var stream = File.OpenRead(path);
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            using var response = await client.PostAsync(DbCommand.PathOf(name) + "/restore", content, ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            await System.Console.Out.WriteLineAsync($"restored '{name}' from {path}");
            return 0;
        }));
        return command;
    }
}

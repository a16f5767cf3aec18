using System.CommandLine;
using Autonomy.Console;
using Autonomy.Server.Backup;
using Autonomy.Server.Hosting;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands;

/// <summary>
/// <c>autonomy restore FILE</c>: puts a backup in place of the project's store, with the project
/// stopped. It is refused, with nothing changed, when the backup is damaged or its secrets' master
/// key is not available here (state folder, <c>AUTONOMY_MASTER_KEY</c> or <c>AUTONOMY_MASTER_KEY_FILE</c>).
/// </summary>
internal static class RestoreCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A backup made by 'autonomy backup -o FILE'" };
        var command = new Command("restore", "Replace the stopped project's store with a backup") { file };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            if (ServerRecord.ReadLive(context.StateDirectory) is not null)
            {
                await System.Console.Error.WriteLineAsync($"error: the project '{context.Project.Name}' is running; stop it with 'autonomy down', then restore (nothing was changed)");
                return 1;
            }
            var path = Path.GetFullPath(parse.GetValue(file)!);
            try
            {
                var (info, previous) = StoreRestore.Restore(path, context.StateDirectory, Server.Compose.Loading.ComposeLoader.ProcessEnvironment());
                if (info.Project != context.Project.Name)
                {
                    await System.Console.Error.WriteLineAsync($"warning: the backup is of project '{info.Project}', restored into '{context.Project.Name}'");
                }
                await System.Console.Out.WriteLineAsync($"restored the backup taken {info.Created.ToLocalTime():yyyy-MM-dd HH:mm:ss} into {Path.Combine(context.StateDirectory, "config.db")}");
                if (previous is not null)
                {
                    await System.Console.Out.WriteLineAsync($"the store it replaced is kept in {previous}");
                }
                return 0;
            }
            catch (Exception e) when (e is BackupException or MasterKeyException or IOException or UnauthorizedAccessException)
            {
                await System.Console.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}

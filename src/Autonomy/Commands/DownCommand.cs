using System.CommandLine;
using Autonomy.Console;
using Autonomy.Server.Hosting;

namespace Autonomy.Commands;

/// <summary><c>autonomy down</c>: stops every service and the control plane; <c>-v</c> also removes the named volumes.</summary>
internal static class DownCommand
{
    public static Command Create()
    {
        var volumes = new Option<bool>("--volumes", "-v") { Description = "Also remove the project's named volumes (their data is lost)" };
        var command = new Command("down", "Stop the services and the server") { volumes };
        command.SetAction(async (parse, ct) =>
        {
            if (ProjectContext.Load(parse) is not { } context)
            {
                return 1;
            }
            using (var client = context.Client(quiet: true))
            {
                if (client is null)
                {
                    await System.Console.Out.WriteLineAsync($"the project '{context.Project.Name}' is not running");
                }
                else
                {
                    var server = ServerRecord.ReadLive(context.StateDirectory)!;
                    using var response = await client.PostAsync("/v1/shutdown", null, ct);
                    while (ServerRecord.ReadLive(context.StateDirectory) is not null || Server.Runtime.Processes.ProcessGroups.IsRunning(server.Pid))
                    {
                        await Task.Delay(50, ct);
                    }
                    await System.Console.Out.WriteLineAsync($"stopped '{context.Project.Name}'");
                }
            }
            if (parse.GetValue(volumes))
            {
                var folder = Path.Combine(context.StateDirectory, "volumes");
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                    await System.Console.Out.WriteLineAsync("removed the named volumes");
                }
            }
            return 0;
        });
        return command;
    }
}

using System.CommandLine;

namespace Autonomy.Commands.Secrets;

/// <summary><c>autonomy secrets rm NAME</c>: removes a secret and all its versions (refused while a running service uses it).</summary>
internal static class SecretsRemoveCommand
{
    public static Command Create()
    {
        var name = SecretsCommand.Name();
        var command = new Command("rm", "Remove a secret with all its versions") { name };
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, _) =>
        {
            await secrets.RemoveAsync(parse.GetValue(name)!, ct);
            await System.Console.Out.WriteLineAsync($"removed {parse.GetValue(name)}");
            return 0;
        }));
        return command;
    }
}

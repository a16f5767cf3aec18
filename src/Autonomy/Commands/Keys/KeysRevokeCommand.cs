using System.CommandLine;
using Autonomy.Console;

namespace Autonomy.Commands.Keys;

/// <summary><c>autonomy keys revoke ID</c>: the gateway refuses the key from then on (403).</summary>
internal static class KeysRevokeCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("ID") { Description = "The key's id (key_…), as 'keys list' shows it" };
        var command = new Command("revoke", "Revoke an API key: every request with it is refused from now on") { id, Config.ConfigCommand.Format };
        command.SetAction((parse, ct) => ProjectContext.WithServerAsync(parse, async client =>
        {
            using var response = await client.DeleteAsync($"/v1/keys/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct);
            if (!response.IsSuccessStatusCode)
            {
                return await ProjectContext.FailAsync(response);
            }
            if (parse.GetValue(Config.ConfigCommand.Format) == "json")
            {
                await System.Console.Out.WriteLineAsync(await response.Content.ReadAsStringAsync(ct));
                return 0;
            }
            await System.Console.Out.WriteLineAsync($"revoked {parse.GetValue(id)}");
            return 0;
        }));
        return command;
    }
}

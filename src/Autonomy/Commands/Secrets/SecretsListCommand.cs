using System.CommandLine;
using Autonomy.Server.Secrets;
using Spectre.Console;

namespace Autonomy.Commands.Secrets;

/// <summary><c>autonomy secrets list</c>: names, versions, times and the services granted each; never a value.</summary>
internal static class SecretsListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the secrets: names, versions, when they changed, which services use them") { SecretsCommand.Format };
        command.Aliases.Add("ls");
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, context) =>
        {
            var listed = await secrets.ListAsync(ct);
            if (parse.GetValue(SecretsCommand.Format) == "json")
            {
                await SecretsCommand.PrintJsonAsync(listed);
                return 0;
            }
            var table = new Table().Border(TableBorder.None).AddColumns("NAME", "VERSION", "VERSIONS", "UPDATED", "SERVICES");
            foreach (var secret in listed)
            {
                table.AddRow(Markup.Escape(secret.Name), secret.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    secret.Versions.ToString(System.Globalization.CultureInfo.InvariantCulture), SecretsCommand.When(secret.Updated),
                    Markup.Escape(secret.Services.Count > 0 ? string.Join(", ", secret.Services) : "-"));
            }
            AnsiConsole.Write(table);
            // External secrets the compose file expects that are not set yet: up would stop on them.
            foreach (var (name, users) in SecretGrants.UsedBy(context.Project).Where(u => u.Value.Count > 0 && listed.All(s => s.Name != u.Key)))
            {
                await System.Console.Error.WriteLineAsync($"missing: {name} (used by {string.Join(", ", users)}): autonomy secrets set {name} < FILE");
            }
            return 0;
        }));
        return command;
    }
}

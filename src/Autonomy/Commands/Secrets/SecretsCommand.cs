using System.CommandLine;
using Autonomy.Console;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>
/// <c>autonomy secrets</c>: the project's encrypted secrets. Every verb works whether the project
/// runs (through its server) or not (in its store directly); no verb takes or prints a value.
/// </summary>
internal static class SecretsCommand
{
    public static Command Create() => new("secrets", "Set and manage the project's encrypted secrets (values never printed)")
    {
        SecretsSetCommand.Create(),
        SecretsListCommand.Create(),
        SecretsRemoveCommand.Create(),
        SecretsHistoryCommands.History(),
        SecretsHistoryCommands.Rollback(),
        SecretsRotateKeyCommand.Create(),
    };

    public static readonly Option<string> Format = new("--format")
    {
        Description = "table or json",
        DefaultValueFactory = _ => "table",
    };

    static SecretsCommand() => Format.AcceptOnlyFromAmong("table", "json");

    public static Argument<string> Name() => new("NAME") { Description = "The secret's name (an external secret's name in the compose file)" };

    /// <summary>
    /// Loads the project and runs <paramref name="verb"/> with its secrets, through the server when it
    /// runs and in the store otherwise; a failure is one line on standard error and exit code 1.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<ISecretsAccess, ProjectContext, Task<int>> verb)
    {
        if (ProjectContext.Load(parse) is not { } context)
        {
            return 1;
        }
        try
        {
            using var access = Open(context);
            return await verb(access, context);
        }
        catch (SecretsCommandException e)
        {
            await System.Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static ISecretsAccess Open(ProjectContext context)
    {
        if (context.Client(quiet: true) is { } client)
        {
            return new RemoteSecrets(client);
        }
        try
        {
            return new LocalSecrets(SecretStore.OpenIn(context.StateDirectory, Server.Compose.Loading.ComposeLoader.ProcessEnvironment()), context.Project);
        }
        catch (Exception e) when (e is MasterKeyException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new SecretsCommandException(e.Message);
        }
    }

    public static string When(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task PrintJsonAsync<T>(T value) =>
        await System.Console.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(value, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
}

using System.CommandLine;

namespace Autonomy.Commands.Keys;

/// <summary>
/// <c>autonomy keys create|list|revoke</c>: API keys for the gateway's routes, each with the routes it
/// opens and an optional quota per day or month. The server keeps only a hash: a key is printed once.
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Make, list and revoke API keys for the gateway's routes")
    {
        KeysCreateCommand.Create(),
        KeysListCommand.Create(),
        KeysRevokeCommand.Create(),
    };
}

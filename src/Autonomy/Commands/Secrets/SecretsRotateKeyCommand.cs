using System.CommandLine;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>
/// <c>autonomy secrets rotate-key</c>: a new master key, and every version of every secret sealed again
/// under it in one transaction. A key file (the state folder's or <c>AUTONOMY_MASTER_KEY_FILE</c>'s) is
/// replaced; a key given in <c>AUTONOMY_MASTER_KEY</c> cannot be, so the new one is printed, once, on
/// standard output (and only there) for the user to put in its place.
/// </summary>
internal static class SecretsRotateKeyCommand
{
    public static Command Create()
    {
        var command = new Command("rotate-key", "Replace the master key and encrypt every secret again under the new one");
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, _) =>
        {
            var rotation = await secrets.RotateKeyAsync(ct);
            var summary = $"master key {rotation.PreviousFingerprint} replaced by {rotation.Fingerprint}; {rotation.Reencrypted} secret version{(rotation.Reencrypted == 1 ? "" : "s")} encrypted again";
            if (rotation.Key is { } key)
            {
                await System.Console.Out.WriteLineAsync(key);
                await System.Console.Error.WriteLineAsync($"{summary}.\nThe key is given by {MasterKeySource.KeyVariable}, which autonomy cannot change: the new key is the line above, shown this once. "
                    + $"Put it in {MasterKeySource.KeyVariable} now, wherever you keep it; the old key no longer opens the secrets (the server keeps the new one until it stops).");
            }
            else
            {
                await System.Console.Out.WriteLineAsync($"{summary}; the new key is in {rotation.KeyFile}");
            }
            await System.Console.Error.WriteLineAsync($"Backups made before now need the old key ({rotation.PreviousFingerprint}) to be restored.");
            return 0;
        }));
        return command;
    }
}

using System.CommandLine;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>
/// <c>autonomy secrets set NAME</c>: the value comes from standard input, never from an argument (which
/// <c>ps</c> and the shell's history would show). Piped or redirected, it is taken byte for byte, a
/// final newline included; typed at a terminal, it is one hidden line, without its newline.
/// </summary>
internal static class SecretsSetCommand
{
    public static Command Create()
    {
        var name = SecretsCommand.Name();
        var command = new Command("set", "Set a secret from standard input (autonomy secrets set NAME < FILE); a new version if it changed") { name };
        command.SetAction((parse, ct) => SecretsCommand.RunAsync(parse, async (secrets, context) =>
        {
            var secret = parse.GetValue(name)!;
            if (SecretNames.Check(secret) is { } invalid)
            {
                throw new SecretsCommandException(invalid);
            }
            var value = System.Console.IsInputRedirected ? await ReadAllAsync(ct) : ReadHiddenLine(secret);
            if (value.Length == 0)
            {
                throw new SecretsCommandException($"the value is empty: give it on standard input, e.g. autonomy secrets set {secret} < FILE");
            }
            if (value.Length > SecretNames.MaxValueBytes)
            {
                throw new SecretsCommandException($"the value has {value.Length} bytes; a secret may have at most {SecretNames.MaxValueBytes}");
            }
            var keyFile = Path.Combine(context.StateDirectory, MasterKeySource.StateFileName);
            var hadKey = File.Exists(keyFile);
            var write = await secrets.SetAsync(secret, value, ct);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(value);
            await System.Console.Out.WriteLineAsync(write.Changed ? $"{secret}: version {write.Version}" : $"{secret}: unchanged at version {write.Version}");
            if (!hadKey && File.Exists(keyFile))
            {
                await System.Console.Error.WriteLineAsync($"note: made the project's master key in {keyFile} (mode 0600). Without it the secrets cannot be read: keep a copy somewhere safe, apart from the backups");
            }
            return 0;
        }));
        return command;
    }

    private static async Task<byte[]> ReadAllAsync(CancellationToken ct)
    {
        using var input = System.Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>One line typed at the terminal, not echoed (as a password prompt is).</summary>
    private static byte[] ReadHiddenLine(string name)
    {
        System.Console.Error.Write($"value of {name} (not shown; Enter ends it, multi-line values: autonomy secrets set {name} < FILE): ");
        var typed = new System.Text.StringBuilder();
        while (true)
        {
            var key = System.Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0)
                {
                    typed.Length--;
                }
                continue;
            }
            if (key.KeyChar != '\0')
            {
                typed.Append(key.KeyChar);
            }
        }
        System.Console.Error.WriteLine();
        var bytes = System.Text.Encoding.UTF8.GetBytes(typed.ToString());
        typed.Clear();
        return bytes;
    }
}

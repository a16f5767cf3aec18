using System.Diagnostics;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A Python script run with Debian's python3 (and its python3-pika), as a service written for RabbitMQ would run:
/// its exit code, what it printed and what it complained about. A machine without python3 or pika fails the test
/// that needs them, with what to install: these tests prove the broker works with the client apps use.
/// </summary>
internal static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await RequirePikaAsync();
        var start = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the script did not finish within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s; it wrote: {await output} {await errors}");
        }
        return (process.ExitCode, (await output).Trim(), (await errors).Trim());
    }

    /// <summary>Runs a script of tests/Autonomy.Tests/Messaging/Amqp/pika/ by its name.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunFileAsync(string name, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        await RunAsync(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "tests", "Autonomy.Tests", "Messaging", "Amqp", "pika", name)), arguments, null, timeout);

    private static Task<bool>? _hasPika;

    private static async Task RequirePikaAsync()
    {
        if (!File.Exists(Python))
        {
            Assert.Fail($"{Python} is missing: install Debian's python3 and python3-pika (scripts/test does)");
        }
        var has = await (_hasPika ??= Task.Run(async () =>
        {
            using var check = Process.Start(new ProcessStartInfo(Python, ["-c", "import pika"]) { RedirectStandardError = true })!;
            await check.WaitForExitAsync();
            return check.ExitCode == 0;
        }));
        Assert.True(has, "pika is missing: install Debian's python3-pika (scripts/test does)");
    }
}

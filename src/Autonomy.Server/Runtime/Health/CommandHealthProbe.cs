using System.Text;
using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Processes;

namespace Autonomy.Server.Runtime.Health;

/// <summary>
/// A compose health check command, run in the replica's environment and working directory in a
/// process group of its own, so that a timeout kills all of it. Exit 0 is healthy.
/// </summary>
internal sealed class CommandHealthProbe(IReadOnlyList<string> command, string workingDirectory, IReadOnlyDictionary<string, string> environment) : IHealthProbe
{
    private const int MaxOutput = 4096;

    public async Task<ProbeResult> ProbeAsync(CancellationToken ct)
    {
        var program = ProgramResolver.Resolve(command[0], workingDirectory, environment.GetValueOrDefault("PATH"));
        if (program is null)
        {
            return new ProbeResult(false, $"the health check's program '{command[0]}' is not on PATH");
        }
        NativeProcess process;
        try
        {
            process = NativeProcess.Start(new ProcessSpec(program, [.. command.Skip(1)], workingDirectory, environment));
        }
        catch (ProcessStartException e)
        {
            return new ProbeResult(false, e.Message);
        }
        await using (process)
        {
            var output = ReadAsync(process.StandardOutput, process.StandardError);
            try
            {
                var exit = await process.Exited.WaitAsync(ct);
                var text = await output;
                return new ProbeResult(exit.ExitCode == 0, text.Length > 0 ? text : $"exit code {exit.ExitCode}");
            }
            catch (OperationCanceledException)
            {
                await process.StopAsync(Signals.SIGKILL, TimeSpan.Zero, CancellationToken.None);
                throw;
            }
        }
    }

    private static async Task<string> ReadAsync(Stream stdout, Stream stderr)
    {
        async Task<string> One(Stream s)
        {
            var buffer = new byte[MaxOutput];
            var total = 0;
            int read;
            while ((read = await s.ReadAsync(buffer.AsMemory(total == MaxOutput ? 0 : total, MaxOutput - (total == MaxOutput ? 0 : total)))) > 0)
            {
                total = Math.Min(MaxOutput, total + read);
            }
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        var both = await Task.WhenAll(One(stdout), One(stderr));
        return (both[0] + both[1]).Trim();
    }
}

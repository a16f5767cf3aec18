using System.Runtime.InteropServices;
using Autonomy.Bench.Config;

// The config center's load driver: Autonomy and etcd measured side by side. bench/config starts both servers and runs it.
using var stop = new CancellationTokenSource();
// Ctrl-C or a TERM cancels the measurement, so that watches, connections and strace are closed on the way out.
void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    stop.Cancel();
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var targets = new List<IConfigTarget>();
try
{
    var options = BenchOptions.Parse(args);
    if (options.SelfTest)
    {
        return await SelfTest.RunAsync(stop.Token);
    }
    if (options.AutonomyState is not null)
    {
        targets.Add(AutonomyTarget.FromStateFolder(options.AutonomyState));
    }
    if (options.EtcdUrl is not null)
    {
        targets.Add(new EtcdTarget(options.EtcdUrl, options.EtcdPid));
    }
    await new BenchRun(options, targets).RunAsync(stop.Token);
    return 0;
}
catch (BenchFailure e)
{
    Console.Error.WriteLine($"config bench: {e.Message}");
    return 2;
}
catch (Exception) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("config bench: interrupted");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"config bench: {e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    foreach (var target in targets)
    {
        await target.DisposeAsync();
    }
}

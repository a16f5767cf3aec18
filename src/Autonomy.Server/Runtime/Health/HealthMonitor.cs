namespace Autonomy.Server.Runtime.Health;

/// <summary>
/// Runs a replica's probe with the spec's timing: every <c>start_interval</c> while the replica is
/// starting and within <c>start_period</c> (where failures do not count), every <c>interval</c>
/// after; healthy on a success, unhealthy after <c>retries</c> failures in a row. Each probe is
/// cut off at <c>timeout</c>.
/// </summary>
internal sealed class HealthMonitor(Planning.HealthSpec spec, IHealthProbe probe, TimeProvider time)
{
    public HealthStatus Status { get; private set; } = HealthStatus.Starting;

    public ProbeResult? LastResult { get; private set; }

    public int FailingStreak { get; private set; }

    public async Task RunAsync(Action<HealthStatus, ProbeResult> changed, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            var inStartPeriod = Status == HealthStatus.Starting && time.GetUtcNow() - started < spec.StartPeriod;
            await Task.Delay(inStartPeriod ? spec.StartInterval : spec.Interval, time, ct);

            ProbeResult result;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(spec.Timeout);
                try
                {
                    result = await probe.ProbeAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    result = new ProbeResult(false, $"the check timed out after {spec.Timeout.TotalSeconds:0.###} s");
                }
            }
            LastResult = result;

            var previous = Status;
            if (result.Healthy)
            {
                FailingStreak = 0;
                Status = HealthStatus.Healthy;
            }
            else if (!(Status == HealthStatus.Starting && time.GetUtcNow() - started < spec.StartPeriod))
            {
                FailingStreak++;
                if (FailingStreak >= Math.Max(1, spec.Retries))
                {
                    Status = HealthStatus.Unhealthy;
                }
            }
            if (Status != previous)
            {
                changed(Status, result);
            }
        }
    }
}

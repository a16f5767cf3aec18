using Autonomy.Server.Data.Health;
using Autonomy.Server.Data.Postgres;

namespace Autonomy.Server.Data;

public sealed partial class Databases
{
    /// <summary>The nodes behind the service's PostgreSQL database as last checked; null for SQLite, or a service without one.</summary>
    public DatabaseHealth? HealthOf(string service)
    {
        lock (_watching)
        {
            return _monitorOf.TryGetValue(service, out var monitor) ? monitor.Current : null;
        }
    }

    /// <summary>Checks the server's nodes from now on (one monitor per server, however many services use it).</summary>
    private void Watch(string service, PostgresServer server)
    {
        var stale = new List<ServerMonitor>();
        lock (_watching)
        {
            if (!_monitors.TryGetValue(server, out var monitor))
            {
                monitor = new ServerMonitor(server, _supervisor.Options.DatabaseCheckInterval, _supervisor.Options.DatabaseCheckTimeout, (before, after) => Report(server, before, after));
                _monitors[server] = monitor;
            }
            _monitorOf[service] = monitor;
            stale.AddRange(Unused());
        }
        DisposeLater(stale);
    }

    private void Unwatch(string service)
    {
        List<ServerMonitor> stale;
        lock (_watching)
        {
            _monitorOf.Remove(service);
            stale = Unused();
        }
        DisposeLater(stale);
    }

    /// <summary>
    /// The monitors no service uses any more (its password changed, it moved, or it left the compose file),
    /// taken out of the table with the services that left.
    /// </summary>
    private List<ServerMonitor> Unused()
    {
        var planned = _supervisor.Plans.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _monitorOf.Keys.Where(s => !planned.Contains(s)).ToList())
        {
            _monitorOf.Remove(gone);
        }
        var used = _monitorOf.Values.ToHashSet();
        var unused = _monitors.Where(m => !used.Contains(m.Value)).ToList();
        foreach (var (server, _) in unused)
        {
            _monitors.Remove(server);
        }
        return [.. unused.Select(m => m.Value)];
    }

    private static void DisposeLater(List<ServerMonitor> monitors)
    {
        foreach (var monitor in monitors)
        {
            _ = monitor.DisposeAsync().AsTask();
        }
    }

    /// <summary>Tells each service on the server, in its own log, that its database lost its primary, has one again, or that the primary moved.</summary>
    private void Report(PostgresServer server, DatabaseHealth before, DatabaseHealth after)
    {
        string text;
        if (after.State == DatabaseHealth.Degraded)
        {
            text = $"database degraded: no primary answers on {server.Display} ({after.Describe()})";
        }
        else if (before.State == DatabaseHealth.Degraded)
        {
            text = $"database has a primary again after {(after.Since - before.Since)?.TotalSeconds:0.0} s: {ServerMonitor.PrimaryOf(after)} ({after.Describe()})";
        }
        else if (before.State == DatabaseHealth.Checking)
        {
            return;
        }
        else
        {
            text = $"database primary moved from {ServerMonitor.PrimaryOf(before)} to {ServerMonitor.PrimaryOf(after)}";
        }
        List<string> services;
        lock (_watching)
        {
            if (!_monitors.TryGetValue(server, out var monitor))
            {
                return;
            }
            services = [.. _monitorOf.Where(m => m.Value == monitor).Select(m => m.Key)];
        }
        foreach (var service in services)
        {
            Log(service, text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<ServerMonitor> monitors;
        lock (_watching)
        {
            monitors = [.. _monitors.Values];
            _monitors.Clear();
            _monitorOf.Clear();
        }
        foreach (var monitor in monitors)
        {
            await monitor.DisposeAsync();
        }
    }
}

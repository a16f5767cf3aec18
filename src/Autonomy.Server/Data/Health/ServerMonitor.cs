using System.Net.Sockets;
using Autonomy.Server.Data.Postgres;
using Npgsql;

namespace Autonomy.Server.Data.Health;

/// <summary>
/// Asks each node of one PostgreSQL server or cluster, in the background and all at once, whether it
/// is a primary or a standby (<c>SELECT pg_is_in_recovery()</c>) as its admin, with a short timeout, so
/// that a node that does not answer costs a check its timeout and never holds up a request. Each node
/// keeps one idle connection between checks. The failover itself is the cluster's own (Patroni's):
/// this only watches, so that <c>ps</c> and <c>db ls</c> can say where the primary is, and that there is none.
/// </summary>
internal sealed class ServerMonitor : IAsyncDisposable
{
    private readonly string _display;
    private readonly IReadOnlyList<PostgresHost> _hosts;
    private readonly NpgsqlDataSource[] _nodes;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly Action<DatabaseHealth, DatabaseHealth> _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private DatabaseHealth _current;

    /// <param name="changed">Called from the checking loop with the state before and after, when it turns degraded or ok, or the primary moves.</param>
    public ServerMonitor(PostgresServer server, TimeSpan interval, TimeSpan timeout, Action<DatabaseHealth, DatabaseHealth> changed)
    {
        _display = server.Display;
        _hosts = server.Hosts;
        _interval = interval;
        _timeout = timeout;
        _changed = changed;
        var seconds = (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        _nodes = [.. _hosts.Select(h => NpgsqlDataSource.Create(server.NodeConnectionString(h, seconds)))];
        _current = new DatabaseHealth(_display, DatabaseHealth.Checking, [.. _hosts.Select(h => new NodeHealth(h.ToString(), NodeHealth.Unknown, null, null))], null);
        _loop = Task.Run(RunAsync);
    }

    public DatabaseHealth Current => Volatile.Read(ref _current);

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            NodeHealth[] nodes;
            try
            {
                nodes = await Task.WhenAll(_hosts.Select((_, i) => CheckAsync(i, ct)));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            var before = Current;
            var primary = nodes.FirstOrDefault(n => n.Role == NodeHealth.Primary)?.Host;
            var state = primary is null ? DatabaseHealth.Degraded : DatabaseHealth.Ok;
            var after = new DatabaseHealth(_display, state, nodes, before.State == state ? before.Since : DateTimeOffset.UtcNow);
            Volatile.Write(ref _current, after);
            if (before.State != after.State || PrimaryOf(before) != primary)
            {
                _changed(before, after);
            }
            try
            {
                await Task.Delay(_interval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public static string? PrimaryOf(DatabaseHealth health) => health.Nodes.FirstOrDefault(n => n.Role == NodeHealth.Primary)?.Host;

    private async Task<NodeHealth> CheckAsync(int index, CancellationToken ct)
    {
        var host = _hosts[index].ToString();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            await using var connection = await _nodes[index].OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            var inRecovery = (bool)(await command.ExecuteScalarAsync(timeout.Token))!;
            return new NodeHealth(host, inRecovery ? NodeHealth.Standby : NodeHealth.Primary, null, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is NpgsqlException or OperationCanceledException or TimeoutException or SocketException or InvalidOperationException)
        {
            return new NodeHealth(host, NodeHealth.Down, Reason(e), DateTimeOffset.UtcNow);
        }
    }

    /// <summary>A few words for <c>ps</c>: what a user checks first.</summary>
    private string Reason(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case PostgresException postgres:
                    return postgres.MessageText;
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData }:
                    return "no such host";
                case SocketException socket:
                    return socket.Message;
                case TimeoutException or OperationCanceledException:
                    return $"no answer within {_timeout.TotalSeconds:0.#} s";
            }
        }
        return e.Message;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _stop.Dispose();
    }
}

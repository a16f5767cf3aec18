using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autonomy.Client.Configuration;

/// <summary>
/// The config center's namespaces as configuration: read once when loaded, then followed by a
/// blocking query per namespace (see the Watch part). Later namespaces win. Disposing it stops the
/// queries; the configuration root disposes it, and the host disposes that at shutdown.
/// </summary>
internal sealed partial class AutonomyConfigurationProvider : ConfigurationProvider, IDisposable
{
    private readonly string? _url;
    private readonly string? _token;
    private readonly IReadOnlyList<string>? _namespaces;
    private readonly bool _optional;
    private readonly bool _reloadOnChange;
    private readonly TimeSpan _waitTime;
    private readonly TimeSpan _loadTimeout;
    private readonly TimeSpan _maxRetryDelay;
    private readonly HttpMessageHandler? _handler;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private NamespaceSnapshot?[] _snapshots = [];
    private ConfigCenterClient? _client;
    private Task _watching = Task.CompletedTask;
    private int _disposed;

    public AutonomyConfigurationProvider(AutonomyConfigurationOptions options)
    {
        // Copied: the options object may be changed after the source was added.
        _url = options.Url;
        _token = options.Token;
        _namespaces = options.EffectiveNamespaces;
        _optional = options.Optional;
        _reloadOnChange = options.ReloadOnChange;
        _waitTime = options.WaitTime;
        _loadTimeout = options.LoadTimeout;
        _maxRetryDelay = options.MaxRetryDelay;
        _handler = options.HttpHandler;
        _logger = options.LoggerFactory?.CreateLogger<AutonomyConfigurationProvider>() ?? NullLogger<AutonomyConfigurationProvider>.Instance;
    }

    /// <summary>
    /// Reads every namespace, then starts following them. Called again (by <c>IConfigurationRoot.Reload</c>)
    /// it keeps what it has: the background queries keep it current.
    /// </summary>
    /// <exception cref="InvalidOperationException">The source is not optional and the config center is not set or cannot be read.</exception>
    public override void Load()
    {
        if (_client is not null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        if (Misconfiguration() is { } problem)
        {
            if (!_optional)
            {
                throw new InvalidOperationException($"Autonomy configuration cannot be loaded: {problem}");
            }
            LogNotConfigured(_logger, problem);
            return;
        }
        var namespaces = _namespaces!;
        var client = new ConfigCenterClient(_url!, _token!, _handler);
        // Load is synchronous; the reads run on the thread pool so that no synchronization context is blocked on.
        var reads = Task.Run(() => Task.WhenAll(namespaces.Select(ns => ReadFirstAsync(client, ns)))).GetAwaiter().GetResult();
        if (!_optional && Array.FindIndex(reads, r => r.Failure is not null) is var failed and >= 0)
        {
            client.Dispose();
            throw new InvalidOperationException(
                $"Could not load configuration from the Autonomy config center at {_url} (namespace '{namespaces[failed]}'): {Describe(reads[failed].Failure!)}",
                reads[failed].Failure);
        }
        for (var i = 0; i < reads.Length; i++)
        {
            if (reads[i].Failure is { } failure)
            {
                LogUnreachable(_logger, namespaces[i], _url!, Describe(failure));
            }
        }
        lock (_gate)
        {
            _snapshots = [.. reads.Select(r => r.Snapshot)];
            Data = Merge();
        }
        _client = client;
        LogLoaded(_logger, string.Join(", ", namespaces), _url!);
        _watching = Follow(client, namespaces, [.. reads.Select(r => r.Snapshot?.Revision)]);
    }

    private async Task<(NamespaceSnapshot? Snapshot, Exception? Failure)> ReadFirstAsync(ConfigCenterClient client, string ns)
    {
        try
        {
            return (await client.ReadAsync(ns, index: null, TimeSpan.Zero, _loadTimeout, _stopping.Token), null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    /// <summary>What is missing for the config center to be read at all, or null.</summary>
    private string? Misconfiguration()
    {
        if (string.IsNullOrEmpty(_url))
        {
            return "AUTONOMY_URL is not set (the process does not run under Autonomy); set Url, or leave the source optional";
        }
        if (string.IsNullOrEmpty(_token))
        {
            return $"AUTONOMY_TOKEN is not set for {_url}; set Token";
        }
        if (_namespaces is null)
        {
            return "AUTONOMY_SERVICE is not set, so the service's own namespace is not known; set Service or Namespaces";
        }
        return null;
    }

    /// <summary>Takes a namespace's new snapshot; when that changes any value, publishes and signals the reload.</summary>
    private void Publish(int index, NamespaceSnapshot snapshot)
    {
        lock (_gate)
        {
            _snapshots[index] = snapshot;
            var merged = Merge();
            if (SameValues(Data, merged))
            {
                return;
            }
            Data = merged;
        }
        LogReloaded(_logger, _namespaces![index], snapshot.Revision);
        try
        {
            OnReload();
        }
        catch (Exception e)
        {
            // A listener's failure is the listener's: the provider keeps following.
            LogListenerFailed(_logger, e);
        }
    }

    /// <summary>The namespaces' values, a later namespace's winning. A fresh dictionary: readers of the old one are never disturbed.</summary>
    private Dictionary<string, string?> Merge()
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var snapshot in _snapshots)
        {
            foreach (var (key, value) in snapshot?.Values ?? new Dictionary<string, string>())
            {
                merged[key] = value;
            }
        }
        return merged;
    }

    private static bool SameValues(IDictionary<string, string?> before, Dictionary<string, string?> after) =>
        before.Count == after.Count && before.All(p => after.TryGetValue(p.Key, out var value) && string.Equals(value, p.Value, StringComparison.Ordinal));

    /// <summary>Stops the background queries (cancelling the one in flight) and waits briefly for them to end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel();
        try
        {
            // The queries end at once when cancelled; the wait only bounds a misbehaving handler.
            _watching.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // A loop can fail only in a logger; shutting down goes on all the same.
        }
        _client?.Dispose();
        _stopping.Dispose();
    }

    public override string ToString() =>
        $"{nameof(AutonomyConfigurationProvider)} ({_url}: {string.Join(", ", _namespaces ?? [])})";

    [LoggerMessage(1, LogLevel.Warning, "Could not read config namespace {Namespace} from {Url}: {Reason}; trying again in the background")]
    private static partial void LogUnreachable(ILogger logger, string @namespace, string url, string reason);

    [LoggerMessage(2, LogLevel.Information, "Config namespace {Namespace} read from {Url} again after {Failures} failed attempts")]
    private static partial void LogRecovered(ILogger logger, string @namespace, string url, int failures);

    [LoggerMessage(3, LogLevel.Debug, "Config namespace {Namespace} changed at revision {Revision}; configuration reloaded")]
    private static partial void LogReloaded(ILogger logger, string @namespace, long revision);

    [LoggerMessage(4, LogLevel.Warning, "Autonomy configuration is not loaded: {Problem}")]
    private static partial void LogNotConfigured(ILogger logger, string problem);

    [LoggerMessage(5, LogLevel.Information, "Following config namespaces {Namespaces} at {Url}")]
    private static partial void LogLoaded(ILogger logger, string namespaces, string url);

    [LoggerMessage(7, LogLevel.Error, "A listener of the configuration's reload token threw")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Config namespace {Namespace} still cannot be read: {Reason}; next attempt in {Delay}")]
    private static partial void LogStillUnreachable(ILogger logger, string @namespace, string reason, TimeSpan delay);
}

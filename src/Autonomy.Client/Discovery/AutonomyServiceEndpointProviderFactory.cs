using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.ServiceDiscovery;

namespace Autonomy.Client.Discovery;

/// <summary>
/// Makes a provider for each service name that could be in Autonomy's registry (a compose service name: letters,
/// digits, '.', '_' and '-'), sharing one registry watch per name for as long as the application runs.
/// </summary>
internal sealed class AutonomyServiceEndpointProviderFactory : IServiceEndpointProviderFactory, IAsyncDisposable
{
    private readonly AutonomyDiscoveryOptions _options;
    private readonly Lazy<HttpClient> _http;
    private readonly ConcurrentDictionary<string, RegistryWatch> _watches = new(StringComparer.OrdinalIgnoreCase);

    public AutonomyServiceEndpointProviderFactory(AutonomyDiscoveryOptions options)
    {
        _options = options;
        _http = new Lazy<HttpClient>(() => RegistryWatch.ClientFor(options));
    }

    public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
    {
        var name = query.ServiceName;
        if (_options.Url is not { Length: > 0 } || !IsServiceName(name))
        {
            provider = null;
            return false;
        }
        // Registry names are a compose file's, in lower case; a host name is matched without regard to case.
        var watch = _watches.GetOrAdd(name.ToLowerInvariant(), n => new RegistryWatch(_http.Value, n, _options));
        provider = new AutonomyServiceEndpointProvider(watch);
        return true;
    }

    private static bool IsServiceName(string name) =>
        name.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Registered twice (as itself, and first among the provider factories), so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        foreach (var watch in _watches.Values)
        {
            await watch.DisposeAsync();
        }
        if (_http.IsValueCreated)
        {
            _http.Value.Dispose();
        }
    }
}

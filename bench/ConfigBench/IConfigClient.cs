namespace Autonomy.Bench.Config;

/// <summary>One client of a configuration store, with its own connection.</summary>
internal interface IConfigClient : IDisposable
{
    /// <summary>Writes a key of the bench's namespace; returns once the store acknowledged it as durable.</summary>
    Task PutAsync(string key, string value, CancellationToken cancellationToken);

    /// <summary>Reads a key of the bench's namespace; null when it does not exist.</summary>
    Task<string?> GetAsync(string key, CancellationToken cancellationToken);
}

namespace Autonomy.Bench.Config;

/// <summary>A configuration store under load: Autonomy's config center or etcd.</summary>
internal interface IConfigTarget : IAsyncDisposable
{
    /// <summary>The name printed in the table's header and used as the JSON key.</summary>
    string Name { get; }

    /// <summary>The server's process, whose fsyncs are counted; null when unknown.</summary>
    int? ServerPid { get; }

    /// <summary>Checks that the store answers and that the bench's namespace exists.</summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>A client with a connection of its own.</summary>
    /// <param name="serializableReads">etcd only: serve reads from the member's local state
    /// instead of the default linearizable read (ignored by Autonomy, whose reads are local).</param>
    IConfigClient CreateClient(bool serializableReads = false);

    /// <summary>Opens a watch of the bench's namespace on a connection of its own and returns once
    /// the server has registered it, so that no later change is missed.</summary>
    /// <param name="onChange">Called with each changed value and the <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp taken when its event was read; calls for one watch never overlap.</param>
    Task<IAsyncDisposable> WatchAsync(Action<string, long> onChange, CancellationToken cancellationToken);
}

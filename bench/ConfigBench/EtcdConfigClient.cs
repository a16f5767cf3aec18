using Etcdserverpb;
using Grpc.Net.Client;

namespace Autonomy.Bench.Config;

/// <summary>Reads and writes keys under the bench's prefix with etcd's Put and Range on a channel of its own.</summary>
/// <remarks>etcd acknowledges a Put once its WAL entry is fsynced. A Range is linearizable unless
/// <c>serializable</c> is set, in which case the member answers from its local state.</remarks>
internal sealed class EtcdConfigClient(GrpcChannel channel, bool serializable) : IConfigClient
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly KV.KVClient _kv = new(channel);

    public async Task PutAsync(string key, string value, CancellationToken cancellationToken) =>
        await _kv.PutAsync(
            new PutRequest { Key = EtcdTarget.Key(key), Value = Google.Protobuf.ByteString.CopyFromUtf8(value) },
            deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var response = await _kv.RangeAsync(
            new RangeRequest { Key = EtcdTarget.Key(key), Serializable = serializable },
            deadline: DateTime.UtcNow + CallTimeout, cancellationToken: cancellationToken);
        return response.Kvs.Count == 0 ? null : response.Kvs[0].Value.ToStringUtf8();
    }

    public void Dispose() => channel.Dispose();
}

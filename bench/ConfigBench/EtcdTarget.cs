using System.Diagnostics;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mvccpb;

namespace Autonomy.Bench.Config;

/// <summary>etcd over its gRPC API, through the stubs that the dotnet-etcd package generates.</summary>
/// <remarks>The stubs are used directly rather than dotnet-etcd's EtcdClient so that every client and every
/// watch gets a gRPC channel, and so a TCP connection and an HTTP/2 stream, of its own, as each Autonomy
/// client and SSE watch has its own HTTP connection. Keys live under the prefix "bench/", the counterpart
/// of Autonomy's namespace.</remarks>
internal sealed class EtcdTarget(string url, int? serverPid) : IConfigTarget
{
    private const string Prefix = "bench/";
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromSeconds(30);

    public string Name => "etcd";

    public int? ServerPid => serverPid;

    public static ByteString Key(string key) => ByteString.CopyFromUtf8(Prefix + key);

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var probe = $"probe-{Guid.NewGuid():N}";
        try
        {
            await client.PutAsync("probe", probe, cancellationToken);
            var read = await client.GetAsync("probe", cancellationToken);
            if (read != probe)
            {
                throw new BenchFailure($"etcd returned '{read}' for a key just written as '{probe}'");
            }
        }
        catch (RpcException e)
        {
            throw new BenchFailure($"etcd at {url} does not answer: {e.Status.StatusCode} {e.Status.Detail}");
        }
    }

    public IConfigClient CreateClient(bool serializableReads = false) => new EtcdConfigClient(CreateChannel(), serializableReads);

    public async Task<IAsyncDisposable> WatchAsync(Action<string, long> onChange, CancellationToken cancellationToken)
    {
        var channel = CreateChannel();
        var stop = new CancellationTokenSource();
        var call = new Watch.WatchClient(channel).Watch(cancellationToken: stop.Token);
        var watch = new WatchStream(channel, stop, call);
        try
        {
            using var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            opening.CancelAfter(RegistrationTimeout);
            await call.RequestStream.WriteAsync(new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = Key(""), RangeEnd = PrefixEnd(Prefix) },
            }, opening.Token);
            if (!await call.ResponseStream.MoveNext(opening.Token) || !call.ResponseStream.Current.Created)
            {
                throw new BenchFailure("etcd did not confirm a watch's creation");
            }
            watch.Reading = Task.Run(() => ReadAsync(call, onChange, stop.Token), CancellationToken.None);
            return watch;
        }
        catch (Exception e)
        {
            await watch.DisposeAsync();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new BenchFailure($"etcd did not register a watch within {RegistrationTimeout.TotalSeconds:0} s");
            }
            if (e is RpcException rpc)
            {
                throw new BenchFailure($"etcd refused a watch: {rpc.Status.StatusCode} {rpc.Status.Detail}");
            }
            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task ReadAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, Action<string, long> onChange, CancellationToken stop)
    {
        while (await call.ResponseStream.MoveNext(stop))
        {
            var receivedAt = Stopwatch.GetTimestamp();
            foreach (var change in call.ResponseStream.Current.Events)
            {
                if (change.Type == Event.Types.EventType.Put)
                {
                    onChange(change.Kv.Value.ToStringUtf8(), receivedAt);
                }
            }
        }
    }

    private static ByteString PrefixEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return ByteString.CopyFrom(bytes);
    }

    private GrpcChannel CreateChannel() => GrpcChannel.ForAddress(url, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
            UseProxy = false,
        },
        DisposeHttpClient = true,
    });

    /// <summary>One watch: its channel, its stream and the task that reads it.</summary>
    private sealed class WatchStream(GrpcChannel channel, CancellationTokenSource stop, AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call) : IAsyncDisposable
    {
        public Task Reading { get; set; } = Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await Reading.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException or IOException or TimeoutException)
            {
                // The watch is closed on purpose: how its read ends does not matter.
            }
            call.Dispose();
            channel.Dispose();
            stop.Dispose();
        }
    }
}

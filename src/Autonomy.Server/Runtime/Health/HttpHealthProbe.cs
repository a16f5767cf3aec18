namespace Autonomy.Server.Runtime.Health;

/// <summary>GET on the replica's own port: any 2xx or 3xx answer is healthy. Redirects are not followed.</summary>
internal sealed class HttpHealthProbe(int port, string path) : IHealthProbe
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<ProbeResult> ProbeAsync(CancellationToken ct)
    {
        try
        {
            using var response = await Client.GetAsync($"http://127.0.0.1:{port}{path}", HttpCompletionOption.ResponseHeadersRead, ct);
            var code = (int)response.StatusCode;
            return new ProbeResult(code is >= 200 and < 400, $"GET {path} answered {code} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, $"GET {path} failed: {e.Message}");
        }
    }

    public override string ToString() => $"GET http://127.0.0.1:{port}{path}";
}

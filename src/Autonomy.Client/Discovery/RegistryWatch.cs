using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace Autonomy.Client.Discovery;

/// <summary>
/// One service's healthy instances, followed with blocking queries on the registry for as long as the watch lives.
/// Each change replaces <see cref="Endpoints"/> and fires the change token handed out before it, so that
/// Microsoft.Extensions.ServiceDiscovery resolves again at once.
/// </summary>
internal sealed class RegistryWatch : IAsyncDisposable
{
    // A blocking query may take the whole wait; this is how much longer the answer may take to arrive.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;
    private readonly string _service;
    private readonly AutonomyDiscoveryOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private Task? _following;

    public RegistryWatch(HttpClient http, string service, AutonomyDiscoveryOptions options)
    {
        _http = http;
        _service = service;
        _options = options;
    }

    /// <summary>The healthy instances' endpoints as last read (empty before the first answer, or when there are none).</summary>
    public IReadOnlyList<EndPoint> Endpoints { get; private set; } = [];

    /// <summary>Fires at the next change of <see cref="Endpoints"/>.</summary>
    public IChangeToken ChangeToken
    {
        get
        {
            lock (_gate)
            {
                return new CancellationChangeToken(_changed.Token);
            }
        }
    }

    /// <summary>
    /// Starts following (once) and waits for the first answer, at most <see cref="AutonomyDiscoveryOptions.FirstAnswerTimeout"/>
    /// in all: once that has passed, resolutions go on at once with what the other providers have, and the change token
    /// fires when the registry answers.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        Task first;
        lock (_gate)
        {
            _following ??= FollowAsync(_stop.Token);
            first = _firstWait ??= WaitForFirstAnswerAsync();
        }
        await first.WaitAsync(ct);
    }

    private Task? _firstWait;

    private async Task WaitForFirstAnswerAsync()
    {
        try
        {
            await _firstAnswer.Task.WaitAsync(_options.FirstAnswerTimeout);
        }
        catch (TimeoutException)
        {
            // Not yet: see StartAsync.
        }
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        long? index = null;
        var delay = TimeSpan.FromMilliseconds(500);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var (newIndex, endpoints) = await ReadAsync(index, ct);
                delay = TimeSpan.FromMilliseconds(500);
                if (index is null || !endpoints.SequenceEqual(Endpoints))
                {
                    Publish(endpoints);
                }
                // An index that went back is a restarted server: read again from scratch, without a wait.
                index = index is { } known && newIndex < known ? null : newIndex;
                _firstAnswer.TrySetResult();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException or JsonException or InvalidOperationException or OperationCanceledException)
            {
                // Unreachable or refusing: keep the last endpoints, and try again with backoff.
                index = null;
                try
                {
                    await Task.Delay(delay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task<(long Index, List<EndPoint> Endpoints)> ReadAsync(long? index, CancellationToken ct)
    {
        var path = "v1/registry/" + Uri.EscapeDataString(_service);
        var timeout = TimeSpan.FromSeconds(10);
        if (index is { } after)
        {
            path += string.Create(CultureInfo.InvariantCulture, $"?index={after}&wait={(long)_options.WaitTime.TotalMilliseconds}ms");
            timeout += _options.WaitTime + Slack;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the registry answered {(int)response.StatusCode} for '{_service}'");
        }
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(deadline.Token), default, deadline.Token);
        var endpoints = new List<EndPoint>();
        foreach (var instance in body.RootElement.GetProperty("instances").EnumerateArray())
        {
            var address = instance.GetProperty("address").GetString()!;
            var port = instance.GetProperty("port").GetInt32();
            endpoints.Add(IPAddress.TryParse(address, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(address, port));
        }
        return (body.RootElement.GetProperty("index").GetInt64(), endpoints);
    }

    private void Publish(List<EndPoint> endpoints)
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            Endpoints = endpoints;
            fired = _changed;
            _changed = new CancellationTokenSource();
        }
        // Not disposed: resolutions may still hold a change token made from it, and ask it whether it fired.
        fired.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_following is { } following)
        {
            await following;
        }
        _stop.Dispose();
        _changed.Dispose();
    }

    /// <summary>The client every watch of one resolver shares: the registry's address, with the token.</summary>
    public static HttpClient ClientFor(AutonomyDiscoveryOptions options)
    {
        var http = options.Handler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) });
        var url = options.Url!;
        http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (options.Token is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }
}

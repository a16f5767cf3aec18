using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Autonomy.Client.Configuration;

/// <summary>Reads namespaces from the config center, at once or as a blocking query that returns when the namespace changes.</summary>
internal sealed class ConfigCenterClient : IDisposable
{
    // A blocking query may take the whole wait; this is how much longer the answer may take to arrive.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(15);

    private readonly HttpClient _http;

    public ConfigCenterClient(string url, string token, HttpMessageHandler? handler)
    {
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
            : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>
    /// The namespace now, or, given <paramref name="index"/>, once its revision passes it (or when
    /// <paramref name="wait"/> ends, at the same revision).
    /// </summary>
    /// <exception cref="ConfigCenterException">The server refused (a wrong token, no such namespace).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/> (plus the wait).</exception>
    public async Task<NamespaceSnapshot> ReadAsync(string ns, long? index, TimeSpan wait, TimeSpan timeout, CancellationToken ct)
    {
        var path = "v1/config/" + Uri.EscapeDataString(ns);
        if (index is { } after)
        {
            path += string.Create(CultureInfo.InvariantCulture, $"?index={after}&wait={(long)wait.TotalMilliseconds}ms");
            timeout += wait + Slack;
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new ConfigCenterException((int)response.StatusCode, await ProblemOfAsync(response, deadline.Token));
            }
            var body = await response.Content.ReadFromJsonAsync(ConfigJson.Default.NamespaceBody, deadline.Token)
                ?? throw new JsonException("the namespace's body is empty");
            var values = new Dictionary<string, string>(body.Entries.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var entry in body.Entries)
            {
                values[entry.Key] = entry.Value;
            }
            return new NamespaceSnapshot(body.Revision, values);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>"403 Forbidden: the problem's detail", from an RFC 9457 body when there is one.</summary>
    private static async Task<string> ProblemOfAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (problem.RootElement.ValueKind == JsonValueKind.Object
                && (problem.RootElement.TryGetProperty("detail", out var text) || problem.RootElement.TryGetProperty("title", out text))
                && text.ValueKind == JsonValueKind.String)
            {
                return $"{status}: {text.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the status says enough.
        }
        return status;
    }

    public void Dispose() => _http.Dispose();
}

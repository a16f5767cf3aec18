using System.Text;
using System.Text.Json;

namespace Autonomy.Bench.Config;

/// <summary>Reads and writes keys of the bench's namespace with PUT and GET /v1/config/{ns}/keys/{key}.</summary>
internal sealed class AutonomyConfigClient(HttpClient http) : IConfigClient
{
    public async Task PutAsync(string key, string value, CancellationToken cancellationToken)
    {
        var path = KeyPath(key);
        using var content = new StringContent(value, Encoding.UTF8, "text/plain");
        using var response = await http.PutAsync(path, content, cancellationToken);
        await AutonomyTarget.EnsureSuccessAsync(response, $"PUT {path}", cancellationToken);
        // The body ({"revision": R}) is read so that the connection is free for the next request.
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = KeyPath(key);
        using var response = await http.GetAsync(path, cancellationToken);
        await AutonomyTarget.EnsureSuccessAsync(response, $"GET {path}", cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return json.RootElement.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    public void Dispose() => http.Dispose();

    private static string KeyPath(string key) => $"/v1/config/{AutonomyTarget.Namespace}/keys/{Uri.EscapeDataString(key)}";
}

using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Server.Secrets;

namespace Autonomy.Commands.Secrets;

/// <summary>The secrets of a running project, through its server's API (which re-delivers changed ones to the replicas at once).</summary>
internal sealed class RemoteSecrets(HttpClient client) : ISecretsAccess
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Where => "the running server";

    public async Task<SecretWrite> SetAsync(string name, byte[] value, CancellationToken ct)
    {
        using var content = new ByteArrayContent(value);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await client.PutAsync(Path(name), content, ct);
        return await ReadAsync<SecretWrite>(response, ct);
    }

    public async Task<IReadOnlyList<SecretListing>> ListAsync(CancellationToken ct)
    {
        using var response = await client.GetAsync("/v1/secrets", ct);
        return await ReadAsync<List<SecretListing>>(response, ct);
    }

    public async Task RemoveAsync(string name, CancellationToken ct)
    {
        using var response = await client.DeleteAsync(Path(name), ct);
        await CheckAsync(response, ct);
    }

    public async Task<IReadOnlyList<SecretVersionInfo>> HistoryAsync(string name, CancellationToken ct)
    {
        using var response = await client.GetAsync(Path(name) + "/history", ct);
        return await ReadAsync<List<SecretVersionInfo>>(response, ct);
    }

    public async Task<SecretWrite> RollbackAsync(string name, long version, CancellationToken ct)
    {
        using var response = await client.PostAsJsonAsync(Path(name) + "/rollback", new { version }, ct);
        return await ReadAsync<SecretWrite>(response, ct);
    }

    public async Task<RotationOutcome> RotateKeyAsync(CancellationToken ct)
    {
        using var response = await client.PostAsync("/v1/secrets/rotate-key", null, ct);
        return await ReadAsync<RotationOutcome>(response, ct);
    }

    private static string Path(string name) => $"/v1/secrets/{Uri.EscapeDataString(name)}";

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        await CheckAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private static async Task CheckAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var problem = JsonDocument.Parse(text);
            throw new SecretsCommandException(problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString()! : text);
        }
        catch (JsonException)
        {
            throw new SecretsCommandException($"the server answered {(int)response.StatusCode}: {text}");
        }
    }

    public void Dispose() => client.Dispose();
}

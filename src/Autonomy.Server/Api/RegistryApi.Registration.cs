using System.Text.Json;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Registry;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The body of an external registration, <c>{address, port, ttl, deregister_after, version, metadata}</c>, read field by
/// field so that every mistake is named at once with what to write instead.
/// </summary>
internal static class RegistrationBody
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MinTtl = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinDeregisterAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DefaultDeregisterAfter = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxDeregisterAfter = TimeSpan.FromDays(7);
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxMetadata = 64;

    private static readonly string[] Fields = ["address", "port", "ttl", "deregister_after", "version", "metadata"];

    public static async Task<(ExternalRegistration? Registration, List<string> Problems)> ReadAsync(HttpRequest request, string service, string id, string actor, CancellationToken ct)
    {
        var problems = new List<string>();
        JsonDocument document;
        try
        {
            using var limited = new MemoryStream();
            await request.Body.CopyToAsync(limited, ct);
            if (limited.Length > MaxBodyBytes)
            {
                return (null, [$"the body is {limited.Length} bytes; a registration is at most {MaxBodyBytes}"]);
            }
            if (limited.Length == 0)
            {
                return (null, ["this call needs a JSON body: {\"address\": \"10.0.0.5\", \"port\": 8080, \"ttl\": \"10s\"}"]);
            }
            document = JsonDocument.Parse(limited.ToArray());
        }
        catch (JsonException e)
        {
            return (null, [$"the body is not JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}): write e.g. {{\"address\": \"10.0.0.5\", \"port\": 8080, \"ttl\": \"10s\"}}"]);
        }
        using (document)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                return (null, ["the body must be a JSON object: {\"address\": \"10.0.0.5\", \"port\": 8080, \"ttl\": \"10s\"}"]);
            }
            foreach (var property in body.EnumerateObject().Where(p => !Fields.Contains(p.Name)))
            {
                problems.Add($"{property.Name} is not a field of this call; the body takes {string.Join(", ", Fields)}");
            }
            var address = Address(body, problems);
            var port = Port(body, problems);
            var ttl = Duration(body, "ttl", DefaultTtl, MinTtl, MaxTtl, problems);
            var deregisterAfter = Duration(body, "deregister_after", null, MinDeregisterAfter, MaxDeregisterAfter, problems);
            if (ttl is { } t && deregisterAfter is { } d && d <= t)
            {
                problems.Add($"deregister_after ({Durations.Text(d)}) must be longer than ttl ({Durations.Text(t)}): it counts from the last heartbeat too");
            }
            var version = Text(body, "version", 128, problems);
            var metadata = Metadata(body, problems);
            if (problems.Count > 0)
            {
                return (null, problems);
            }
            return (new ExternalRegistration
            {
                Service = service,
                Id = id,
                Address = address!,
                Port = port!.Value,
                Ttl = ttl!.Value,
                // By default three missed TTLs, and never less than a minute.
                DeregisterAfter = deregisterAfter ?? TimeSpan.FromTicks(Math.Max(DefaultDeregisterAfter.Ticks, ttl.Value.Ticks * 3)),
                Version = version ?? "",
                Metadata = metadata ?? [],
                RegisteredBy = actor,
            }, problems);
        }
    }

    private static string? Address(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("address", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Add("address is missing: give the host name or IP address the instance listens on, e.g. \"10.0.0.5\"");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 and <= 253 } text
            || Uri.CheckHostName(text) is UriHostNameType.Unknown or UriHostNameType.Basic)
        {
            problems.Add($"address is {value.GetRawText()}, which is not a host name or IP address; write e.g. \"10.0.0.5\", \"::1\" or \"orders.internal\" (no scheme, no port)");
            return null;
        }
        return text;
    }

    private static int? Port(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("port", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            problems.Add("port is missing: give the port the instance listens on, 1 to 65535");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var port) || port is < 1 or > 65535)
        {
            problems.Add($"port is {value.GetRawText()}; give a whole number from 1 to 65535");
            return null;
        }
        return port;
    }

    private static TimeSpan? Duration(JsonElement body, string field, TimeSpan? fallback, TimeSpan min, TimeSpan max, List<string> problems)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        if (value.ValueKind != JsonValueKind.String || !GoDuration.TryParse(value.GetString()!, out var duration) || duration < min || duration > max)
        {
            problems.Add($"{field} is {value.GetRawText()}; give a duration from {Durations.Text(min)} to {Durations.Text(max)} as text, e.g. \"{(field == "ttl" ? "10s" : "1m")}\"");
            return null;
        }
        return duration;
    }

    private static string? Text(JsonElement body, string field, int maxLength, List<string> problems)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > maxLength || value.GetString()!.Any(char.IsControl))
        {
            problems.Add($"{field} must be text of at most {maxLength} characters, without control characters");
            return null;
        }
        return value.GetString();
    }

    private static Dictionary<string, string>? Metadata(JsonElement body, List<string> problems)
    {
        if (!body.TryGetProperty("metadata", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.Add("metadata must be an object of text values, e.g. {\"zone\": \"eu-1\"}");
            return null;
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                problems.Add($"metadata.{item.Name} is {item.Value.GetRawText()}; metadata values are text, e.g. \"{item.Value.GetRawText()}\" in quotes");
            }
            else if (item.Name.Length is 0 or > 128 || item.Value.GetString()!.Length > 1024)
            {
                problems.Add($"metadata.{item.Name}: a key is 1 to 128 characters and a value at most 1024");
            }
            else
            {
                metadata[item.Name] = item.Value.GetString()!;
            }
        }
        if (metadata.Count > MaxMetadata)
        {
            problems.Add($"metadata has {metadata.Count} entries; at most {MaxMetadata}");
        }
        return metadata;
    }
}

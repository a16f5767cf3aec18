using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autonomy.Client.Configuration;

/// <summary>The body of <c>GET /v1/config/{ns}</c>, read without reflection.</summary>
internal sealed record NamespaceBody(string Namespace, long Revision, IReadOnlyList<EntryBody> Entries);

/// <summary>One key of <see cref="NamespaceBody"/>.</summary>
internal sealed record EntryBody(string Key, string Value, string? ContentType, long Revision);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NamespaceBody))]
internal sealed partial class ConfigJson : JsonSerializerContext;

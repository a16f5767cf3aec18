namespace Autonomy.Client.Configuration;

/// <summary>One namespace's keys and values as the server had them at <paramref name="Revision"/>.</summary>
internal sealed record NamespaceSnapshot(long Revision, IReadOnlyDictionary<string, string> Values);

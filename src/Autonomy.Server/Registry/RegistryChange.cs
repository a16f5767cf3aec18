namespace Autonomy.Server.Registry;

/// <summary>One change to the registry: an instance added or updated (<see cref="Entry"/> set) or removed (null).</summary>
public sealed record RegistryChange(long Index, string Service, string Id, RegistryEntry? Entry);

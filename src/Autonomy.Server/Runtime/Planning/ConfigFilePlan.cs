namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// A compose config as a native service gets it: a file named <see cref="FileName"/> in the
/// replica's configs folder (<c>AUTONOMY_CONFIGS_DIR</c>), and a symlink to it at
/// <see cref="LinkPath"/> when the target lies in the service's working directory.
/// </summary>
public sealed record ConfigFilePlan(string Name, string FileName, string? LinkPath, ConfigFileSource Source, int? Mode);

/// <summary>Where a config file's content comes from.</summary>
public abstract record ConfigFileSource;

/// <summary><c>file:</c>, read when a replica starts.</summary>
public sealed record FileConfigSource(string Path) : ConfigFileSource;

/// <summary><c>content:</c> or <c>environment:</c> (the variable's value, resolved at load).</summary>
public sealed record TextConfigSource(string Text) : ConfigFileSource;

/// <summary>
/// <c>x-autonomy.namespace</c>: a config center namespace written in a format, rendered again on
/// every change; then <see cref="OnChange"/> says what the service is told.
/// </summary>
public sealed record NamespaceConfigSource(string Namespace, string Format, ConfigChangeAction OnChange) : ConfigFileSource;

/// <summary><c>x-autonomy.on_change</c>: <c>none</c>, <c>signal:HUP</c> (or another signal), or <c>restart</c>.</summary>
public sealed record ConfigChangeAction(string Kind, int Signal = 0)
{
    public static ConfigChangeAction None { get; } = new("none");

    public static ConfigChangeAction Restart { get; } = new("restart");

    public override string ToString() => Kind == "signal" ? $"signal:{Signal}" : Kind;
}

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// A mount as a native process sees it: a folder (a named volume under the project's state, or a
/// bind mount's host path), exposed as <c>AUTONOMY_VOLUME_&lt;NAME&gt;</c> and, where the mount's target
/// lies inside the working directory, as a symlink at <see cref="LinkPath"/>.
/// </summary>
public sealed record VolumeLink(string VariableName, string HostPath, string Target, string? LinkPath, bool IsNamedVolume);

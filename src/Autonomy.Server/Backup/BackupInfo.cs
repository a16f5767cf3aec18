namespace Autonomy.Server.Backup;

/// <summary>What a backup file says about itself: whose store it is, when it was taken, and which master key its secrets need (null: it has none).</summary>
public sealed record BackupInfo(string Project, DateTimeOffset Created, string? KeyFingerprint);

/// <summary>A backup cannot be made or restored; the message says why and that nothing was changed.</summary>
public sealed class BackupException(string message) : Exception(message);

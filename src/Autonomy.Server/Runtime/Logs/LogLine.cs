namespace Autonomy.Server.Runtime.Logs;

/// <summary>One line of a replica's log, without its line break.</summary>
/// <param name="Replica">The replica's name, or empty for a line about the service as a whole.</param>
public sealed record LogLine(DateTimeOffset Time, string Service, string Replica, LogStream Stream, string Text);

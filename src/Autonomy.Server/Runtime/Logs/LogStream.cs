namespace Autonomy.Server.Runtime.Logs;

/// <summary>Where a log line came from: the replica's own output, or the platform speaking about the replica.</summary>
public enum LogStream
{
    Stdout,
    Stderr,

    /// <summary>Written by Autonomy itself: starts, exits, health changes, lines a slow reader missed.</summary>
    System,
}

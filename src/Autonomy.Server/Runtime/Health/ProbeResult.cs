namespace Autonomy.Server.Runtime.Health;

/// <summary>One probe's outcome and what it printed or answered (kept short, shown in status and errors).</summary>
public sealed record ProbeResult(bool Healthy, string Output);

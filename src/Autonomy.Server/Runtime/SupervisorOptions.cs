namespace Autonomy.Server.Runtime;

/// <summary>
/// How the supervisor behaves. The defaults suit a laptop: a crashing service is retried quickly
/// at first, then no more often than every 30 s, and counted as stable again after 10 s of running.
/// </summary>
public sealed record SupervisorOptions
{
    /// <summary>The project's state folder (<c>.autonomy/&lt;project&gt;</c>): logs, volumes, run records.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>First restart delay after a crash (a service's <c>deploy.restart_policy.delay</c> replaces it).</summary>
    public TimeSpan RestartDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The delay doubles with each crash in a row up to this cap.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A replica that ran this long before exiting starts the backoff over.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Each delay is spread by up to this fraction either way, so that replicas do not restart in lockstep.</summary>
    public double RestartJitter { get; init; } = 0.2;

    /// <summary>How long <c>up</c> waits for a dependency's condition before it gives up.</summary>
    public TimeSpan DependencyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of a failing service's last log lines an error shows.</summary>
    public int FailureLogLines { get; init; } = 20;

    /// <summary>
    /// Folders searched for PostgreSQL's server programs for a managed server; null searches PATH, then
    /// Debian's /usr/lib/postgresql/&lt;major&gt;/bin, newest first.
    /// </summary>
    public IReadOnlyList<string>? PostgresBinaryDirectories { get; init; }

    /// <summary>How often each PostgreSQL node behind a service's database is asked whether it is the primary or a standby.</summary>
    public TimeSpan DatabaseCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long that question may take before the node counts as down.</summary>
    public TimeSpan DatabaseCheckTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the CPU and memory of every running replica are read from /proc (CPU is the average over this time).</summary>
    public TimeSpan UsageSampleInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The environment services inherit beneath their own (the shell's, by default).</summary>
    public IReadOnlyDictionary<string, string>? InheritedEnvironment { get; init; }
}

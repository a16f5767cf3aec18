namespace Autonomy.Server.Runtime.Processes;

/// <summary>
/// What to run, exactly: nothing is inherited from the supervisor that is not written here.
/// </summary>
/// <param name="Program">Absolute path of the executable; the caller resolves <c>PATH</c>. It is also argv[0].</param>
/// <param name="Arguments">argv[1..].</param>
/// <param name="WorkingDirectory">Absolute path of an existing directory.</param>
/// <param name="Environment">The whole environment of the process.</param>
public sealed record ProcessSpec(
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment);

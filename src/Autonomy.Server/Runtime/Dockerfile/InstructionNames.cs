namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>The instructions Docker knows, and which of them shape how the image runs (the rest are never executed here).</summary>
internal static class InstructionNames
{
    public static IReadOnlyList<string> All { get; } =
    [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label", "maintainer",
        "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ];

    /// <summary>
    /// Instructions read for their effect on the image config. A mistake in one of them is an error; a mistake in any
    /// other (RUN, COPY, ADD, LABEL, …) is only a warning, since nothing here depends on it.
    /// </summary>
    public static bool IsEvaluated(string name) => name is "from" or "arg" or "env" or "workdir" or "expose" or "cmd"
        or "entrypoint" or "shell" or "user" or "stopsignal";

    public static bool IsKnown(string name) => All.Contains(name);

    /// <summary>The known instruction a glued keyword starts with (<c>COPY..</c>, <c>CMD["x"]</c>), when it goes on with a non-letter.</summary>
    public static string? GluedPrefix(string keyword)
    {
        var lower = keyword.ToLowerInvariant();
        return All.Where(n => lower.Length > n.Length && lower.StartsWith(n, StringComparison.Ordinal) && !char.IsLetter(lower[n.Length]))
            .OrderByDescending(n => n.Length)
            .FirstOrDefault();
    }
}

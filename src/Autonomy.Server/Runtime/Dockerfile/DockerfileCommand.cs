namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// A CMD or ENTRYPOINT as written. Exec form (<c>CMD ["python", "app.py"]</c>): <paramref name="Words"/> is the JSON
/// array. Shell form (<c>CMD python app.py</c>): <paramref name="Words"/> is the one command text and
/// <paramref name="ShellForm"/> is true; Docker runs it as <see cref="Shell"/> + text.
/// </summary>
internal sealed record DockerfileCommand(IReadOnlyList<string> Words, bool ShellForm, int Line)
{
    /// <summary>Docker's shell for shell-form instructions when no SHELL instruction says otherwise.</summary>
    public static IReadOnlyList<string> DefaultShell { get; } = ["/bin/sh", "-c"];

    /// <summary>
    /// The SHELL in effect when the instruction was read (null: <see cref="DefaultShell"/>). Docker fixes the shell at
    /// that point, so a later SHELL does not change an earlier CMD.
    /// </summary>
    public IReadOnlyList<string>? Shell { get; init; }

    /// <summary>The words Docker stores in the image: the array itself, or the shell followed by the command text.</summary>
    public IReadOnlyList<string> Argv => ShellForm ? [.. Shell ?? DefaultShell, string.Join(" ", Words)] : Words;
}

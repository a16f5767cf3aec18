namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// A Dockerfile that cannot be read: where (<see cref="Path"/>, <see cref="Line"/>, <see cref="Column"/>, all 1-based;
/// line 0 means the file as a whole), what is wrong and how to fix it. <see cref="Exception.Message"/> starts with the
/// location so that it stands on its own; <see cref="Reason"/> is the same text without it.
/// </summary>
internal sealed class DockerfileException(string message, string path, int line, int column)
    : Exception(Locate(path, line, column) + message)
{
    public string Reason { get; } = message;

    public string Path { get; } = path;

    public int Line { get; } = line;

    public int Column { get; } = column;

    private static string Locate(string path, int line, int column) =>
        line <= 0 ? $"{path}: " : column <= 0 ? $"{path}:{line}: " : $"{path}:{line}:{column}: ";
}

using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Diagnostics;

/// <summary>
/// One finding about a compose file: where it is, what is wrong, and how to fix it.
/// <see cref="Path"/> is the dotted path of the value in the model (<c>services.web.deploy.replicas</c>).
/// </summary>
public sealed record ComposeDiagnostic
{
    internal ComposeDiagnostic(DiagnosticSeverity severity, SourceLocation location, string path, string message, string? hint)
    {
        Severity = severity == DiagnosticSeverity.Error ? "error" : "warning";
        File = location.File;
        Line = location.Line;
        Column = location.Column;
        Path = path;
        Message = message;
        Hint = hint;
    }

    /// <summary><c>error</c> or <c>warning</c>.</summary>
    public string Severity { get; }

    public string File { get; }

    public int Line { get; }

    public int Column { get; }

    public string Path { get; }

    public string Message { get; }

    public string? Hint { get; }

    public bool IsError => Severity == "error";

    /// <summary><c>file:line:col: error: message</c>, then the hint on its own line, with the file relative to <paramref name="baseDirectory"/>.</summary>
    public string Format(string? baseDirectory = null)
    {
        var file = SourceLocation.Relative(File, baseDirectory);
        var where = file.Length == 0 ? "" : Line > 0 ? $"{file}:{Line}:{Column}: " : $"{file}: ";
        var text = $"{where}{Severity}: {Message}";
        return Hint is null ? text : $"{text}\n  hint: {Hint}";
    }

    public override string ToString() => Format();
}

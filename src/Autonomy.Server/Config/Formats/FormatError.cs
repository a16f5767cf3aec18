namespace Autonomy.Server.Config.Formats;

/// <summary>One thing wrong with an imported file: where it is and what is wrong.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, in UTF-16 code units; a byte order mark takes none.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Hint">How to fix it, when there is an obvious fix.</param>
public sealed record FormatError(int Line, int Column, string Message, string? Hint = null)
{
    /// <summary><c>line:col: message</c>.</summary>
    public override string ToString() => $"{Line}:{Column}: {Message}";
}

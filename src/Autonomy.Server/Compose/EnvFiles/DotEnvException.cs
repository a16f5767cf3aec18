namespace Autonomy.Server.Compose.EnvFiles;

/// <summary>
/// An env file could not be read: a malformed line, an unterminated quote, or a value whose interpolation failed
/// (then <see cref="Exception.InnerException"/> is the <c>InterpolationException</c>).
/// </summary>
/// <remarks>The message says what is wrong and how to fix it, without the position: the caller prefixes file, line and column.</remarks>
internal sealed class DotEnvException : Exception
{
    public DotEnvException(string message, int line, int column, Exception? innerException = null)
        : base(message, innerException)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line of the failing text.</summary>
    public int Line { get; }

    /// <summary>1-based column of the failing text, in UTF-16 code units.</summary>
    public int Column { get; }
}

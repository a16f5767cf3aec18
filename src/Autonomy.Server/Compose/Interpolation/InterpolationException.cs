namespace Autonomy.Server.Compose.Interpolation;

/// <summary>
/// A template could not be resolved: its syntax is wrong (<c>${</c>, <c>${FOO bar}</c>), or a required
/// variable (<c>${VAR:?msg}</c>, <c>${VAR?msg}</c>) has no value.
/// </summary>
internal sealed class InterpolationException : Exception
{
    public InterpolationException(string message, int offset, string? variable)
        : base(message)
    {
        Offset = offset;
        Variable = variable;
    }

    /// <summary>
    /// 0-based offset in the template of the <c>$</c> that starts the failing expression. It is an offset in the
    /// outermost template even when the failure is nested in a default, so the caller can turn it into a line and column.
    /// </summary>
    public int Offset { get; }

    /// <summary>The variable the failing expression names, when it got far enough to name one.</summary>
    public string? Variable { get; }
}

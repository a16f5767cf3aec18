namespace Autonomy.Server.Config.Formats;

/// <summary>
/// An imported file is malformed. Carries every error the import found, in file order; the message is the first of them.
/// </summary>
public sealed class ConfigFormatException : Exception
{
    /// <param name="errors">The errors found, at least one.</param>
    public ConfigFormatException(IReadOnlyList<FormatError> errors)
        : base(errors is { Count: > 0 } ? errors[0].ToString() : throw new ArgumentException("at least one error is needed", nameof(errors)))
    {
        Errors = errors;
    }

    /// <summary>The errors found, ordered by line and column.</summary>
    public IReadOnlyList<FormatError> Errors { get; }
}

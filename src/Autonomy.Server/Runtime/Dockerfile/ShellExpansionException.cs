namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// A word could not be expanded: an unclosed quote or <c>${</c>, a bad modifier, or (<see cref="MissingValue"/>) a
/// <c>${VAR:?message}</c> whose variable has no value.
/// </summary>
internal sealed class ShellExpansionException(string message, bool missingValue = false) : Exception(message)
{
    public bool MissingValue { get; } = missingValue;
}

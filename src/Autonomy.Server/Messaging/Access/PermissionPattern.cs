using System.Text.RegularExpressions;

namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// One of a permission's three regular expressions, with RabbitMQ's meaning: a resource name is allowed
/// when the expression matches anywhere in it (write <c>^orders-.*$</c> to anchor it), and an empty
/// expression allows nothing. Matching has a time limit, so that a pathological expression cannot hold
/// a request.
/// </summary>
public sealed class PermissionPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex? _regex;

    private PermissionPattern(string text, Regex? regex)
    {
        Text = text;
        _regex = regex;
    }

    public static PermissionPattern None { get; } = new("", null);

    public static PermissionPattern Everything { get; } = new(".*", new Regex(".*", RegexOptions.CultureInvariant, MatchTimeout));

    public string Text { get; }

    public bool AllowsAnything => _regex is not null;

    /// <summary>Reads a pattern; on failure <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(string text, out PermissionPattern pattern, out string? problem)
    {
        problem = null;
        if (text.Length == 0)
        {
            pattern = None;
            return true;
        }
        try
        {
            pattern = new PermissionPattern(text, new Regex(text, RegexOptions.CultureInvariant, MatchTimeout));
            return true;
        }
        catch (ArgumentException e)
        {
            pattern = None;
            problem = $"'{text}' is not a regular expression: {e.Message}";
            return false;
        }
    }

    public static PermissionPattern Parse(string text) =>
        TryParse(text, out var pattern, out var problem) ? pattern : throw new FormatException(problem);

    public bool Allows(string resource)
    {
        if (_regex is null)
        {
            return false;
        }
        try
        {
            return _regex.IsMatch(resource);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    public override string ToString() => Text;
}

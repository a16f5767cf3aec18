using System.Text.RegularExpressions;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A compose file written for Docker reaches its database by the service's name on the container's
/// port (<c>postgres://app:pw@db:5432/app</c>), which no native process can resolve. In the URLs of a
/// service's own environment, such an address of a service Autonomy runs in place of the postgres image
/// becomes the loopback address in front of that server.
/// </summary>
public static partial class ImageAddresses
{
    /// <summary><paramref name="value"/> with each <c>@name[:5432]</c> or <c>//name[:5432]</c> of <paramref name="servers"/> made <c>127.0.0.1:port</c>.</summary>
    public static string Rewrite(string value, IReadOnlyDictionary<string, int> servers)
    {
        if (servers.Count == 0 || !value.Contains("://", StringComparison.Ordinal))
        {
            return value;
        }
        return Address().Replace(value, m => servers.TryGetValue(m.Groups["host"].Value, out var port)
            ? $"{m.Groups["before"].Value}127.0.0.1:{port}"
            : m.Value);
    }

    [GeneratedRegex(@"(?<before>@|//|,)(?<host>[a-zA-Z0-9][a-zA-Z0-9_.-]*)(?::5432)?(?=[/?,]|$)")]
    private static partial Regex Address();
}

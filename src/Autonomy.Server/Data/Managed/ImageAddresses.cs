using System.Globalization;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A compose file written for Docker reaches its database or broker by the service's name on the container's
/// port (<c>postgres://app:pw@db:5432/app</c>, <c>amqp://guest:guest@messagequeue:5672/</c>), which no native
/// process can resolve. In the URLs of a service's own environment, such an address of a service Autonomy
/// serves in place of an image becomes the loopback address of what serves it.
/// </summary>
public static partial class ImageAddresses
{
    /// <summary><paramref name="value"/> with each <c>@name[:port]</c>, <c>//name[:port]</c> or <c>,name[:port]</c> of <paramref name="servers"/> made <c>127.0.0.1:port</c>.</summary>
    public static string Rewrite(string value, IReadOnlyDictionary<string, ImageServer> servers)
    {
        if (servers.Count == 0 || !value.Contains("://", StringComparison.Ordinal))
        {
            return value;
        }
        return Address().Replace(value, m =>
        {
            if (!servers.TryGetValue(m.Groups["host"].Value, out var server))
            {
                return m.Value;
            }
            var port = m.Groups["port"];
            var meant = port.Success
                ? int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var named) && named == server.ImagePort
                : server.BareSchemes is not { } schemes || schemes.Contains(SchemeAt(value, m.Index), StringComparer.OrdinalIgnoreCase);
            return meant ? $"{m.Groups["before"].Value}127.0.0.1:{server.Port}" : m.Value;
        });
    }

    /// <summary>The scheme of the URL that holds the character at <paramref name="index"/>: the letters before the last "://" ahead of it.</summary>
    private static string SchemeAt(string value, int index)
    {
        var separator = value.LastIndexOf("://", Math.Min(index + 2, value.Length - 1), StringComparison.Ordinal);
        if (separator < 0)
        {
            return "";
        }
        var start = separator;
        while (start > 0 && (char.IsAsciiLetterOrDigit(value[start - 1]) || value[start - 1] is '+' or '-' or '.'))
        {
            start--;
        }
        return value[start..separator];
    }

    [GeneratedRegex(@"(?<before>@|//|,)(?<host>[a-zA-Z0-9][a-zA-Z0-9_.-]*)(?::(?<port>[0-9]+))?(?=[/?,]|$)")]
    private static partial Regex Address();
}

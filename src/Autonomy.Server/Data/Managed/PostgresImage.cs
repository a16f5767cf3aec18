using System.Globalization;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// The images Autonomy satisfies without a container engine: PostgreSQL's official image
/// (<c>postgres</c>, <c>postgres:16</c>, <c>docker.io/library/postgres:16-alpine</c>…), run as its managed server.
/// </summary>
public static class PostgresImage
{
    public const string Satisfiable = "postgres (any tag: postgres:16, postgres:16-alpine…), run as Autonomy's managed PostgreSQL";

    /// <summary>Whether <paramref name="image"/> is PostgreSQL's official image; <paramref name="major"/> is the version its tag asks for, if it says.</summary>
    public static bool IsPostgres(string image, out int? major)
    {
        major = null;
        var reference = image.Split('@')[0];
        var slash = reference.LastIndexOf('/');
        var repository = slash < 0 ? reference : reference[..slash];
        var rest = slash < 0 ? reference : reference[(slash + 1)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? rest : rest[..colon];
        if (name != "postgres" || (slash >= 0 && repository is not ("library" or "docker.io/library" or "index.docker.io/library" or "registry-1.docker.io/library")))
        {
            return false;
        }
        if (colon >= 0)
        {
            var tag = rest[(colon + 1)..];
            var digits = new string([.. tag.TakeWhile(char.IsAsciiDigit)]);
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                major = number;
            }
        }
        return true;
    }
}

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
        if (!OfficialImage.Is(image, "postgres", out var tag))
        {
            return false;
        }
        if (tag is not null)
        {
            var digits = new string([.. tag.TakeWhile(char.IsAsciiDigit)]);
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                major = number;
            }
        }
        return true;
    }
}

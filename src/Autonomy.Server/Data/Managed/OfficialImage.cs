namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A reference to one of Docker Hub's official images (<c>postgres</c>, <c>rabbitmq:3-management</c>,
/// <c>docker.io/library/postgres:16-alpine</c>, with or without a digest), read into its name and tag.
/// </summary>
internal static class OfficialImage
{
    /// <summary>Whether <paramref name="image"/> names the official image <paramref name="name"/>; <paramref name="tag"/> is its tag, if it has one.</summary>
    public static bool Is(string image, string name, out string? tag)
    {
        tag = null;
        var reference = image.Split('@')[0];
        var slash = reference.LastIndexOf('/');
        var repository = slash < 0 ? reference : reference[..slash];
        var rest = slash < 0 ? reference : reference[(slash + 1)..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if ((colon < 0 ? rest : rest[..colon]) != name
            || (slash >= 0 && repository is not ("library" or "docker.io/library" or "index.docker.io/library" or "registry-1.docker.io/library")))
        {
            return false;
        }
        tag = colon < 0 ? null : rest[(colon + 1)..];
        return true;
    }
}

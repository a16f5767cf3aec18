using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the server's assembly (wwwroot/, named <c>dashboard/PATH</c>): no folder to ship
/// beside the program and nothing to build but the server. Served with a strict content security policy: the page runs
/// only its own scripts and styles and talks only to this server.
/// </summary>
internal static class DashboardFiles
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IResult Serve(HttpContext context, string file)
    {
        if (!Files.TryGetValue(file, out var bytes))
        {
            return Api.Problems.Of(404, "not-found", "No such dashboard file", $"the dashboard has no file '{file}'; open / for the dashboard");
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // The files change with the server: a browser asks again each time rather than run an older page against a newer API.
        headers.CacheControl = "no-cache";
        return Results.Bytes(bytes, Types.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream"));
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        var assembly = typeof(DashboardFiles).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[Prefix.Length..]] = copy.ToArray();
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

using System.Globalization;

namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A folder with PostgreSQL's server programs (initdb, postgres, pg_ctl, pg_isready) and their
/// major version. Debian keeps them off PATH, in /usr/lib/postgresql/&lt;major&gt;/bin.
/// </summary>
public sealed record PostgresBinaries(string Directory, int Major)
{
    public const string DebianRoot = "/usr/lib/postgresql";

    public string Program(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// The folders to search: those given, else PATH's, then Debian's per-version folders, newest first.
    /// With <paramref name="preferredMajor"/>, a folder of that version wins if there is one.
    /// </summary>
    public static PostgresBinaries? Find(IReadOnlyList<string>? searchDirectories, string? path, int? preferredMajor = null)
    {
        var candidates = new List<PostgresBinaries>();
        foreach (var folder in searchDirectories ?? Defaults(path))
        {
            var postgres = Path.Combine(folder, "postgres");
            if (!File.Exists(postgres) || !File.Exists(Path.Combine(folder, "initdb")))
            {
                continue;
            }
            // A link on PATH (/usr/local/bin/postgres) stands for the folder that has all of the server's programs.
            var directory = Path.GetDirectoryName(new FileInfo(postgres).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? postgres)!;
            if (File.Exists(Path.Combine(directory, "pg_isready")) && MajorOf(directory) is { } major && candidates.All(c => c.Directory != directory))
            {
                candidates.Add(new PostgresBinaries(directory, major));
            }
        }
        return candidates.FirstOrDefault(c => c.Major == preferredMajor) ?? candidates.OrderByDescending(c => c.Major).FirstOrDefault();
    }

    /// <summary>What <see cref="Find"/> looked at, for the message that none was found.</summary>
    public static string Searched(IReadOnlyList<string>? searchDirectories) =>
        searchDirectories is null ? $"PATH and {DebianRoot}/*/bin" : string.Join(", ", searchDirectories);

    private static IEnumerable<string> Defaults(string? path)
    {
        foreach (var directory in (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return directory;
        }
        if (System.IO.Directory.Exists(DebianRoot))
        {
            foreach (var version in System.IO.Directory.GetDirectories(DebianRoot).OrderByDescending(d => d, StringComparer.Ordinal))
            {
                yield return Path.Combine(version, "bin");
            }
        }
    }

    /// <summary>The major version from the folder's name (Debian's layout), else from PG_VERSION-like output of pg_config's neighbour files.</summary>
    private static int? MajorOf(string directory)
    {
        var parent = Path.GetFileName(Path.GetDirectoryName(directory.TrimEnd('/')) ?? "");
        if (int.TryParse(parent, NumberStyles.None, CultureInfo.InvariantCulture, out var fromFolder))
        {
            return fromFolder;
        }
        // Elsewhere (a source build, PATH): the share folder's version file, or the version postgres reports.
        return VersionReported(Path.Combine(directory, "postgres"));
    }

    private static int? VersionReported(string program)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var text = process!.StandardOutput.ReadToEnd();
            process.WaitForExit(5000);
            // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
            var version = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(w => w.Length > 0 && char.IsAsciiDigit(w[0]));
            return version is not null && int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}

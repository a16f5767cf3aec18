namespace Autonomy.Server.Runtime.Supervision;

/// <summary>
/// A mount whose target lies inside the service's working directory appears there as a symlink
/// to the volume's folder. An existing symlink is replaced; an existing real file or folder is
/// left alone (it holds the user's data) with a warning.
/// </summary>
internal static class VolumeLinks
{
    public static void Link(string linkPath, string target, List<string> warnings, string service)
    {
        var info = new FileInfo(linkPath);
        if (info.LinkTarget is not null)
        {
            if (info.LinkTarget == target)
            {
                return;
            }
            info.Delete();
        }
        else if (info.Exists || Directory.Exists(linkPath))
        {
            if (Directory.Exists(linkPath) && !Directory.EnumerateFileSystemEntries(linkPath).Any())
            {
                Directory.Delete(linkPath);
            }
            else
            {
                warnings.Add($"service '{service}': '{linkPath}' already exists, so the volume at {target} is not linked there (move it away to use the volume)");
                return;
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
        File.CreateSymbolicLink(linkPath, target);
    }
}

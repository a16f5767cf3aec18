using Autonomy.Server.Compose.Model;
using Autonomy.Server.Runtime.Dockerfile;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// What a reader of <c>convert</c>'s output should know about how a service will run without a
/// container: where an absolute Dockerfile WORKDIR ends up, and what of the Dockerfile is not run.
/// </summary>
public static class NativeNotes
{
    public static IReadOnlyList<string> For(ComposeProject project)
    {
        var notes = new List<string>();
        foreach (var service in project.Services)
        {
            if (service.Build is not { DockerfileInline: null } build || !Directory.Exists(build.Context))
            {
                continue;
            }
            var path = Path.GetFullPath(build.Dockerfile ?? "Dockerfile", build.Context);
            if (!File.Exists(path))
            {
                continue;
            }
            try
            {
                var image = DockerfileReader.Read(File.ReadAllText(path), path, build.Args, build.Target);
                if (image.WorkDir is { } workDir && Path.IsPathRooted(workDir))
                {
                    notes.Add($"service '{service.Name}': its Dockerfile's WORKDIR {workDir} is the build context {build.Context} when it runs natively");
                }
            }
            catch (DockerfileException e)
            {
                notes.Add($"service '{service.Name}': its Dockerfile cannot be read: {e.Message}");
            }
        }
        return notes;
    }
}

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// The command line Docker starts a container with, from the image's ENTRYPOINT and CMD and the compose service's
/// <c>entrypoint</c> and <c>command</c>, merged as the Docker engine merges a container config over its image config.
/// </summary>
internal static class LaunchCommand
{
    /// <summary>
    /// The program and its arguments, or null when nothing says what to run. The rules, as in Docker:
    /// a compose <c>entrypoint</c> replaces the image's ENTRYPOINT and, unless compose also has a <c>command</c>,
    /// drops the image's CMD; an empty compose entrypoint (<c>[]</c>, <c>''</c>) removes the ENTRYPOINT but keeps the
    /// CMD; a compose <c>command</c> replaces CMD (an empty one does not); a shell-form instruction runs as
    /// <c>/bin/sh -c "text"</c> (or its SHELL); the result is the ENTRYPOINT followed by the CMD. After a shell-form
    /// ENTRYPOINT the CMD words only become the shell's <c>$0</c>, <c>$1</c>…, so the text ignores them unless it
    /// uses them — exactly what Docker runs.
    /// <paramref name="source"/> says where the program came from ("Dockerfile:8 (CMD)", "compose command"), or,
    /// with null, what was looked at.
    /// </summary>
    public static IReadOnlyList<string>? Resolve(DockerfileInfo? image, IReadOnlyList<string>? composeEntrypoint, IReadOnlyList<string>? composeCommand, out string source)
    {
        IReadOnlyList<string> entrypoint = composeEntrypoint ?? [];
        var entrypointSource = "compose entrypoint";
        IReadOnlyList<string> command = composeCommand ?? [];
        var commandSource = "compose command";
        if (entrypoint.Count == 0)
        {
            if (command.Count == 0 && image?.Cmd is { } cmd)
            {
                command = cmd.Argv;
                commandSource = Describe(image, cmd, "CMD");
            }
            if (composeEntrypoint is null && image?.Entrypoint is { } imageEntrypoint)
            {
                entrypoint = imageEntrypoint.Argv;
                entrypointSource = Describe(image, imageEntrypoint, "ENTRYPOINT");
            }
        }

        if (entrypoint.Count > 0)
        {
            source = entrypointSource;
            return [.. entrypoint, .. command];
        }
        if (command.Count > 0)
        {
            source = commandSource;
            return command;
        }
        source = image is null
            ? "the compose service (no command or entrypoint)"
            : $"{image.Path} (no CMD or ENTRYPOINT) and the compose service (no command or entrypoint)";
        return null;
    }

    private static string Describe(DockerfileInfo image, DockerfileCommand command, string instruction) =>
        $"{(image.Path.Length > 0 ? image.Path : "Dockerfile")}:{command.Line} ({instruction})";
}

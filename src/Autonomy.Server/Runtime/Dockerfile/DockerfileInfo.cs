namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// What a Dockerfile says about running its image, read the way <c>docker build</c> would build the image config of
/// the final stage (or of the requested target): nothing is executed, so RUN, COPY and ADD leave no trace here.
/// </summary>
internal sealed record DockerfileInfo
{
    /// <summary>The path the Dockerfile was read from, as given to <see cref="DockerfileReader.Read"/>.</summary>
    public required string Path { get; init; }

    /// <summary>The last WORKDIR of the stage (relative ones joined onto the one before, as Docker does); null when none.</summary>
    public string? WorkDir { get; init; }

    /// <summary>
    /// ENV of the stage and the stages it is built from, in the order of the image config: a variable set again keeps
    /// its first position and takes the new value. Variables of the base image from a registry are not known here.
    /// </summary>
    public IReadOnlyList<DockerfileEnv> Env { get; init; } = [];

    /// <summary>Exposed ports in declaration order, ranges expanded: "8080" for TCP, "53/udp" or "9/sctp" otherwise.</summary>
    public IReadOnlyList<string> Expose { get; init; } = [];

    public DockerfileCommand? Entrypoint { get; init; }

    public DockerfileCommand? Cmd { get; init; }

    /// <summary>The SHELL of the stage when one was set, e.g. <c>["/bin/bash", "-c"]</c>.</summary>
    public IReadOnlyList<string>? Shell { get; init; }

    public string? User { get; init; }

    public string? StopSignal { get; init; }

    /// <summary>The name (<c>FROM … AS name</c>, lower-cased) of the stage described; null when it has none.</summary>
    public string? StageName { get; init; }

    /// <summary>The line of that stage's FROM.</summary>
    public int StageLine { get; init; }

    /// <summary>The registry image at the root of the stage's FROM chain, build args substituted ("scratch" included).</summary>
    public required string BaseImage { get; init; }

    /// <summary>The <c># syntax=</c> parser directive, when present.</summary>
    public string? Syntax { get; init; }

    /// <summary><c>\</c>, or <c>`</c> after <c># escape=`</c>.</summary>
    public char EscapeCharacter { get; init; } = '\\';

    public IReadOnlyList<DockerfileWarning> Warnings { get; init; } = [];
}

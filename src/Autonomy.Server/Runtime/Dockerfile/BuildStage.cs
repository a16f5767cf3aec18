namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// One <c>FROM … [AS name]</c> and the instructions under it, and, once dispatched, the image config they build
/// (ENV, WORKDIR, CMD…) plus the variables visible to expansions (the image's ENV and the stage's ARG values).
/// </summary>
internal sealed class BuildStage(Instruction from, ArgumentWord image, string? name)
{
    public Instruction From { get; } = from;

    /// <summary>The FROM image word as written.</summary>
    public ArgumentWord Image { get; } = image;

    /// <summary>The lower-cased name after AS.</summary>
    public string? Name { get; } = name;

    public List<Instruction> Instructions { get; } = [];

    /// <summary>The FROM image with global ARGs substituted.</summary>
    public string BaseName { get; set; } = "";

    /// <summary>An earlier stage this one is built FROM, when <see cref="BaseName"/> names one.</summary>
    public BuildStage? Parent { get; set; }

    /// <summary>The registry image at the root of the FROM chain.</summary>
    public string RootImage { get; set; } = "";

    public List<DockerfileEnv> Env { get; private set; } = [];

    public string? WorkDir { get; set; }

    /// <summary>Whether a WORKDIR of this Dockerfile (in this stage or one it is built from) set <see cref="WorkDir"/>.</summary>
    public bool WorkDirSet { get; set; }

    public List<string> Expose { get; private set; } = [];

    public DockerfileCommand? Entrypoint { get; set; }

    public DockerfileCommand? Cmd { get; set; }

    /// <summary>Whether this stage itself has a CMD so far: an ENTRYPOINT clears only an inherited CMD.</summary>
    public int? CmdLineInStage { get; set; }

    public int? EntrypointLineInStage { get; set; }

    public IReadOnlyList<string>? Shell { get; set; }

    public string? User { get; set; }

    public string? StopSignal { get; set; }

    /// <summary>ONBUILD triggers, run at the start of any later stage built FROM this one.</summary>
    public List<Instruction> OnBuild { get; } = [];

    /// <summary>What <c>$NAME</c> means here: ENV values and ARG values, the latest assignment winning.</summary>
    public Dictionary<string, string> Variables { get; private set; } = new(StringComparer.Ordinal);

    public bool Dispatched { get; set; }

    public string? Lookup(string variable) => Variables.TryGetValue(variable, out var value) ? value : null;

    /// <summary>Starts from a parent stage's image config and variables, as BuildKit does for <c>FROM &lt;stage&gt;</c>.</summary>
    public void InheritFrom(BuildStage parent)
    {
        RootImage = parent.RootImage;
        Env = [.. parent.Env];
        WorkDir = parent.WorkDir;
        WorkDirSet = parent.WorkDirSet;
        Expose = [.. parent.Expose];
        Entrypoint = parent.Entrypoint;
        Cmd = parent.Cmd;
        Shell = parent.Shell;
        User = parent.User;
        StopSignal = parent.StopSignal;
        Variables = new Dictionary<string, string>(parent.Variables, StringComparer.Ordinal);
    }

    /// <summary>Sets an image variable the way Docker's image config does: a name set again keeps its position.</summary>
    public void SetEnv(string variable, string value, int line)
    {
        var index = Env.FindIndex(e => e.Name == variable);
        if (index >= 0)
        {
            Env[index] = new DockerfileEnv(variable, value, line);
        }
        else
        {
            Env.Add(new DockerfileEnv(variable, value, line));
        }
        Variables[variable] = value;
    }
}

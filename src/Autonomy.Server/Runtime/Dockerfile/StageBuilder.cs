namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// Dispatches the instructions of a stage the way BuildKit builds the image config, without running anything:
/// ARG and ENV set variables, WORKDIR/EXPOSE/CMD/ENTRYPOINT/SHELL/USER/STOPSIGNAL set the config, and
/// RUN/COPY/ADD/… are passed over. A stage built FROM an earlier one starts from that one's config.
/// </summary>
internal sealed partial class StageBuilder(
    string path,
    char escape,
    InstructionParser parser,
    IReadOnlyDictionary<string, string?> buildArgs,
    IReadOnlyDictionary<string, string> globalArgs,
    IReadOnlyDictionary<string, string>? imageEnv,
    List<DockerfileWarning> warnings)
{
    /// <summary>The PATH BuildKit gives an image whose config has none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly HashSet<(int Line, string Name)> _reportedUnset = [];

    public void Build(BuildStage stage)
    {
        if (stage.Parent is { } parent)
        {
            stage.InheritFrom(parent);
            foreach (var trigger in parent.OnBuild)
            {
                RunTrigger(stage, parent, trigger);
            }
        }
        else
        {
            stage.RootImage = stage.BaseName;
            if (stage.BaseName != "scratch" && imageEnv is not null)
            {
                foreach (var (name, value) in imageEnv)
                {
                    stage.Variables[name] = value;
                }
            }
            stage.Variables.TryAdd("PATH", DefaultPath);
        }
        foreach (var instruction in stage.Instructions)
        {
            Dispatch(stage, instruction);
        }
        stage.Dispatched = true;
    }

    private void Dispatch(BuildStage stage, Instruction instruction)
    {
        switch (instruction.Name)
        {
            case "arg":
                Arg(stage, instruction);
                break;
            case "env":
                Env(stage, instruction);
                break;
            case "workdir":
                WorkDir(stage, instruction);
                break;
            case "expose":
                Expose(stage, instruction);
                break;
            case "cmd":
                Cmd(stage, instruction);
                break;
            case "entrypoint":
                Entrypoint(stage, instruction);
                break;
            case "shell":
                stage.Shell = parser.Shell(instruction);
                break;
            case "user":
                stage.User = Expand(stage, instruction, parser.Single(instruction), "USER");
                break;
            case "stopsignal":
                StopSignal(stage, instruction);
                break;
            case "onbuild":
                if (instruction.Trigger() is { Name: not ("onbuild" or "from" or "maintainer") } trigger)
                {
                    stage.OnBuild.Add(trigger);
                }
                break;
        }
    }

    /// <summary>An ONBUILD of the parent stage, run first in this one as Docker does.</summary>
    private void RunTrigger(BuildStage stage, BuildStage parent, Instruction trigger)
    {
        if (!InstructionNames.IsKnown(trigger.Name))
        {
            var from = parent.Name is { } name ? $"stage '{name}'" : "the stage";
            throw trigger.Error(path, trigger.KeywordOffset,
                $"this ONBUILD carries '{trigger.Keyword}', which is not a Dockerfile instruction; Docker fails when a stage is built FROM {from} (as the stage on line {stage.From.Line} is): fix or remove the ONBUILD");
        }
        if (InstructionNames.IsEvaluated(trigger.Name))
        {
            parser.Validate(trigger);
            Dispatch(stage, trigger);
        }
    }

    private void Arg(BuildStage stage, Instruction instruction)
    {
        foreach (var pair in parser.Arg(instruction))
        {
            var name = pair.Key.Text;
            string? value;
            if (buildArgs.TryGetValue(name, out var given) && given is not null)
            {
                value = given;
            }
            else if (pair.Value is { } fallback)
            {
                value = Expand(stage, instruction, fallback, $"the default of ARG {name}");
            }
            else
            {
                // Declared again without a default: the stage sees the global ARG's value.
                value = globalArgs.TryGetValue(name, out var global) ? global : null;
            }
            if (value is not null)
            {
                stage.Variables[name] = value;
            }
        }
    }

    private void Env(BuildStage stage, Instruction instruction)
    {
        // Every pair is expanded against the variables from before the instruction: ENV A=1 B=$A uses the old A.
        var expanded = parser.KeyValues(instruction)
            .Select(pair => (Key: pair.Key, Name: Expand(stage, instruction, pair.Key, "the ENV name"), Value: Expand(stage, instruction, pair.Value!.Value, $"the value of ENV {pair.Key.Text}")))
            .ToList();
        foreach (var (key, name, value) in expanded)
        {
            if (name.Length == 0)
            {
                throw instruction.Error(path, key.Offset, $"the ENV name '{key.Text}' expands to nothing: give the variable a name");
            }
            stage.SetEnv(name, value, instruction.Line);
        }
    }

    private void WorkDir(BuildStage stage, Instruction instruction)
    {
        var word = parser.Single(instruction);
        var value = Expand(stage, instruction, word, "WORKDIR");
        if (!stage.WorkDirSet && !value.StartsWith('/') && stage.RootImage != "scratch")
        {
            warnings.Add(instruction.Warning(word.Offset,
                $"WORKDIR {value} is relative and no WORKDIR comes before it, so Docker joins it onto the working directory of the image {stage.RootImage}, which Autonomy cannot see; it is taken as {NormalizeWorkDir("/", value)}: write the absolute path"));
        }
        stage.WorkDir = NormalizeWorkDir(stage.WorkDir, value);
        stage.WorkDirSet = true;
    }

    /// <summary>Docker's rule: an absolute WORKDIR is taken as written, a relative one is joined onto the current one (or /) and cleaned.</summary>
    public static string NormalizeWorkDir(string? current, string requested)
    {
        var parent = string.IsNullOrEmpty(current) ? "/" : current.StartsWith('/') ? current : CleanPath("/" + current);
        if (requested.Length == 0)
        {
            return parent;
        }
        return requested.StartsWith('/') ? requested : CleanPath(parent + "/" + requested);
    }

    /// <summary>Go's path.Clean for rooted paths: no empty or "." segments, ".." resolved, no trailing slash.</summary>
    private static string CleanPath(string rooted)
    {
        var segments = new List<string>();
        foreach (var segment in rooted.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                continue;
            }
            segments.Add(segment);
        }
        return "/" + string.Join('/', segments);
    }

    private void Cmd(BuildStage stage, Instruction instruction)
    {
        var (words, json) = parser.Command(instruction);
        if (stage.CmdLineInStage is { } earlier)
        {
            warnings.Add(instruction.Warning(instruction.KeywordOffset, $"this CMD replaces the one on line {earlier}: only the last CMD of a stage takes effect"));
        }
        WarnIfBrokenJson(instruction, json);
        stage.Cmd = new DockerfileCommand(words, !json, instruction.Line) { Shell = stage.Shell };
        stage.CmdLineInStage = instruction.Line;
    }

    private void Entrypoint(BuildStage stage, Instruction instruction)
    {
        var (words, json) = parser.Command(instruction);
        if (stage.EntrypointLineInStage is { } earlier)
        {
            warnings.Add(instruction.Warning(instruction.KeywordOffset, $"this ENTRYPOINT replaces the one on line {earlier}: only the last ENTRYPOINT of a stage takes effect"));
        }
        WarnIfBrokenJson(instruction, json);
        // ENTRYPOINT [] removes the entrypoint; ENTRYPOINT with no text at all is a shell running nothing, as in Docker.
        stage.Entrypoint = json && words.Count == 0 ? null : new DockerfileCommand(words, !json, instruction.Line) { Shell = stage.Shell };
        if (stage.CmdLineInStage is null)
        {
            // Docker: an ENTRYPOINT drops the CMD it inherits from the image it is built on.
            if (stage.Cmd is { } inherited)
            {
                warnings.Add(instruction.Warning(instruction.KeywordOffset,
                    $"this ENTRYPOINT clears the CMD of line {inherited.Line} that the stage inherits, as Docker does: repeat a CMD after it if that CMD should still apply"));
            }
            stage.Cmd = null;
        }
        stage.EntrypointLineInStage = instruction.Line;
    }

    private void WarnIfBrokenJson(Instruction instruction, bool json)
    {
        if (!json && instruction.Args.StartsWith('['))
        {
            var display = instruction.Display;
            warnings.Add(instruction.Warning(instruction.ArgsStart,
                $"this {display} starts like an exec-form JSON array but is not valid JSON, so Docker runs the whole text with /bin/sh -c: use double quotes and commas, as in {display} [\"python\", \"app.py\"]"));
        }
    }

    private void Expose(BuildStage stage, Instruction instruction)
    {
        foreach (var word in parser.Expose(instruction))
        {
            foreach (var spec in ExpandWords(stage, instruction, word, "EXPOSE"))
            {
                foreach (var port in ExposedPorts(instruction, word, spec))
                {
                    if (!stage.Expose.Contains(port))
                    {
                        stage.Expose.Add(port);
                    }
                }
            }
        }
    }

    private void StopSignal(BuildStage stage, Instruction instruction)
    {
        var word = parser.Single(instruction);
        var value = Expand(stage, instruction, word, "STOPSIGNAL");
        if (!IsSignal(value))
        {
            throw instruction.Error(path, word.Offset, $"'{value}' is not a signal: write a name such as SIGTERM, SIGINT or SIGQUIT, or a number");
        }
        stage.StopSignal = value;
    }
}

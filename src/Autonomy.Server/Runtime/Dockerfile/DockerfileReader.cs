using System.Runtime.InteropServices;
using Autonomy.Server.Compose.Loading;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// Reads a Dockerfile for what it says about running the image — WORKDIR, ENV, EXPOSE, ENTRYPOINT, CMD, SHELL, USER,
/// STOPSIGNAL — following the rules of Docker's parser (BuildKit's Dockerfile frontend): case-insensitive
/// instructions, parser directives, line continuations, heredocs, exec and shell forms, ARG scoping, multi-stage
/// builds. Nothing is executed: there is no image filesystem, so RUN, COPY and ADD are only checked for the mistakes
/// Docker would reject, and reported as warnings.
/// </summary>
internal static class DockerfileReader
{
    private static readonly IReadOnlyDictionary<string, string?> NoBuildArgs = new Dictionary<string, string?>();

    /// <summary>Build args Docker accepts without an ARG for them.</summary>
    private static readonly HashSet<string> PredefinedArgs = new(StringComparer.OrdinalIgnoreCase)
    {
        "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY", "SOURCE_DATE_EPOCH",
    };

    /// <summary>
    /// Parses Dockerfile <paramref name="text"/> and returns the image config of the final stage, or of the stage
    /// named <paramref name="target"/> (compose <c>build.target</c>). <paramref name="path"/> is only used in
    /// messages. <paramref name="buildArgs"/> are compose <c>build.args</c> (a null value counts as not given).
    /// <paramref name="imageEnv"/> optionally stands for the environment of the registry base image, which Docker
    /// would see and this reader cannot; without it, <c>$PATH</c> is Docker's default PATH and other variables of the
    /// base image expand to nothing (with a warning).
    /// </summary>
    /// <exception cref="DockerfileException">The Dockerfile breaks a rule Docker enforces for what decides how the image runs.</exception>
    public static DockerfileInfo Read(string text, string path, IReadOnlyDictionary<string, string?>? buildArgs = null, string? target = null,
        IReadOnlyDictionary<string, string>? imageEnv = null)
    {
        buildArgs ??= NoBuildArgs;
        var warnings = new List<DockerfileWarning>();
        var instructions = InstructionScanner.Scan(text, path, warnings, out var escape, out var syntax);
        var parser = new InstructionParser(path, escape);

        var globalInstructions = new List<Instruction>();
        var stages = new List<BuildStage>();
        foreach (var instruction in instructions)
        {
            if (!Check(instruction, parser, path, warnings))
            {
                continue;
            }
            if (instruction.Name == "from")
            {
                var (image, name) = parser.From(instruction);
                stages.Add(new BuildStage(instruction, image, name));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add(instruction);
            }
            else if (instruction.Name == "arg")
            {
                globalInstructions.Add(instruction);
            }
            else
            {
                throw instruction.Error(path, instruction.KeywordOffset,
                    $"{instruction.Display} comes before any FROM: a Dockerfile starts with 'FROM <image>' (only ARG lines, comments and parser directives may come before it)");
            }
        }
        if (stages.Count == 0)
        {
            throw new DockerfileException(instructions.Count == 0
                ? "the Dockerfile has no instructions: it needs at least 'FROM <image>' and a CMD that says what to run"
                : "the Dockerfile has no FROM: add 'FROM <image>' after its ARG lines", path, 0, 0);
        }

        var targetName = string.IsNullOrEmpty(target) ? stages[^1].Name ?? "" : target;
        var globalArgs = GlobalArgs(globalInstructions, parser, buildArgs, targetName, path, escape);
        var stagesByName = new Dictionary<string, BuildStage>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            stage.BaseName = BaseName(stage, globalArgs, path, escape, warnings);
            stage.Parent = stagesByName.GetValueOrDefault(stage.BaseName);
            if (stage.Name is { } name)
            {
                if (stagesByName.TryGetValue(name, out var earlier))
                {
                    warnings.Add(stage.From.Warning(stage.From.KeywordOffset,
                        $"the stage name '{name}' is already used on line {earlier.From.Line}; from here on '{name}' means this stage: give each stage its own name"));
                }
                stagesByName[name] = stage;
            }
        }

        var chosen = string.IsNullOrEmpty(target) ? stages[^1]
            : stagesByName.GetValueOrDefault(target.ToLowerInvariant()) ?? throw TargetNotFound(target, stages, path);
        var chain = new List<BuildStage>();
        for (var stage = chosen; stage is not null; stage = stage.Parent)
        {
            chain.Insert(0, stage);
        }
        var builder = new StageBuilder(path, escape, parser, buildArgs, globalArgs, imageEnv, warnings);
        foreach (var stage in chain)
        {
            builder.Build(stage);
        }
        WarnUndeclaredBuildArgs(buildArgs, globalInstructions.Concat(stages.SelectMany(s => s.Instructions)), parser, globalArgs, warnings);

        return new DockerfileInfo
        {
            Path = path,
            WorkDir = chosen.WorkDir,
            Env = chosen.Env,
            Expose = chosen.Expose,
            Entrypoint = chosen.Entrypoint,
            Cmd = chosen.Cmd,
            Shell = chosen.Shell,
            User = chosen.User,
            StopSignal = chosen.StopSignal,
            StageName = chosen.Name,
            StageLine = chosen.From.Line,
            BaseImage = chosen.RootImage,
            Syntax = syntax,
            EscapeCharacter = escape,
            Warnings = [.. warnings.OrderBy(w => w.Line)],
        };
    }

    /// <summary>
    /// Rejects instructions Docker does not know. Docker's parse errors in instructions that decide how the image runs
    /// are errors; in the others (RUN, COPY, …), which are never executed here, they are warnings. False: skip it.
    /// </summary>
    private static bool Check(Instruction instruction, InstructionParser parser, string path, List<DockerfileWarning> warnings)
    {
        if (!InstructionNames.IsKnown(instruction.Name))
        {
            var glued = InstructionNames.GluedPrefix(instruction.Keyword);
            if (glued is not null && !InstructionNames.IsEvaluated(glued))
            {
                warnings.Add(instruction.Warning(instruction.KeywordOffset,
                    $"'{instruction.Keyword}' is not an instruction: a space is missing after {glued.ToUpperInvariant()} (write '{Unglue(instruction, glued)}'). Docker stops here with 'unknown instruction: {instruction.Display}'; Autonomy does not run {glued.ToUpperInvariant()}, so it reads on"));
                return false;
            }
            throw Unknown(instruction, glued, path);
        }
        if (InstructionNames.IsEvaluated(instruction.Name))
        {
            parser.Validate(instruction);
            return true;
        }
        try
        {
            parser.Validate(instruction);
        }
        catch (DockerfileException e)
        {
            warnings.Add(new DockerfileWarning(e.Line, e.Column,
                $"{e.Reason}. Docker would reject this line; Autonomy does not run {instruction.Display}, so it reads on"));
        }
        return true;
    }

    private static DockerfileException Unknown(Instruction instruction, string? glued, string path)
    {
        if (instruction.Keyword.Length == 0)
        {
            return instruction.Error(path, instruction.KeywordOffset, "a line continuation has no instruction before it: remove the stray escape character at the end of the line");
        }
        if (glued is not null)
        {
            return instruction.Error(path, instruction.KeywordOffset,
                $"'{instruction.Keyword}' is not an instruction: a space is missing after {glued.ToUpperInvariant()}; write '{Unglue(instruction, glued)}'");
        }
        var suggestion = NameSuggestion.Closest(instruction.Keyword, InstructionNames.All.Select(n => n.ToUpperInvariant()));
        var fix = suggestion is not null ? $"did you mean {suggestion}?" : $"the instructions are {string.Join(", ", InstructionNames.All.Select(n => n.ToUpperInvariant()))}";
        return instruction.Error(path, instruction.KeywordOffset, $"unknown instruction '{instruction.Keyword}': {fix}");
    }

    /// <summary>The instruction as it was probably meant: <c>COPY..</c> is <c>COPY . .</c>, <c>CMD["a"]</c> is <c>CMD ["a"]</c>.</summary>
    private static string Unglue(Instruction instruction, string glued)
    {
        var rest = instruction.Keyword[glued.Length..];
        var args = instruction.Source.Text[(instruction.KeywordOffset + instruction.Keyword.Length)..].Trim();
        rest = rest == ".." && args.Length == 0 ? ". ." : rest;
        return $"{glued.ToUpperInvariant()} {rest}{(args.Length > 0 ? " " + args : "")}";
    }

    /// <summary>
    /// The ARGs before the first FROM, on top of the platform ARGs BuildKit defines: visible only in FROM lines,
    /// and in a stage only when the stage declares them again.
    /// </summary>
    private static Dictionary<string, string> GlobalArgs(List<Instruction> instructions, InstructionParser parser, IReadOnlyDictionary<string, string?> buildArgs,
        string targetName, string path, char escape)
    {
        var args = DefaultArgs(targetName);
        foreach (var name in args.Keys.ToList())
        {
            if (buildArgs.TryGetValue(name, out var given) && given is not null)
            {
                args[name] = given;
            }
        }
        foreach (var instruction in instructions)
        {
            foreach (var pair in parser.Arg(instruction))
            {
                var name = pair.Key.Text;
                if (buildArgs.TryGetValue(name, out var given) && given is not null)
                {
                    args[name] = given;
                }
                else if (pair.Value is { } fallback)
                {
                    try
                    {
                        args[name] = ShellWordLexer.Expand(fallback.Text, n => args.TryGetValue(n, out var v) ? v : null, escape);
                    }
                    catch (ShellExpansionException e)
                    {
                        throw instruction.Error(path, fallback.Offset, $"the default of ARG {name} '{fallback.Text}' cannot be expanded: {e.Message}");
                    }
                }
            }
        }
        return args;
    }

    /// <summary>BuildKit's platform ARGs, here describing this machine, since the service runs on it natively.</summary>
    private static Dictionary<string, string> DefaultArgs(string targetName)
    {
        var os = OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsFreeBSD() ? "freebsd" : "linux";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "386",
            Architecture.Arm => "arm",
            Architecture.RiscV64 => "riscv64",
            Architecture.S390x => "s390x",
            Architecture.Ppc64le => "ppc64le",
            Architecture.LoongArch64 => "loong64",
            _ => "amd64",
        };
        var variant = arch == "arm" ? "v7" : "";
        var platform = variant.Length > 0 ? $"{os}/{arch}/{variant}" : $"{os}/{arch}";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BUILDPLATFORM"] = platform,
            ["BUILDOS"] = os,
            ["BUILDOSVERSION"] = "",
            ["BUILDARCH"] = arch,
            ["BUILDVARIANT"] = variant,
            ["TARGETPLATFORM"] = platform,
            ["TARGETOS"] = os,
            ["TARGETOSVERSION"] = "",
            ["TARGETARCH"] = arch,
            ["TARGETVARIANT"] = variant,
            ["TARGETSTAGE"] = targetName,
        };
    }

    private static string BaseName(BuildStage stage, Dictionary<string, string> globalArgs, string path, char escape, List<DockerfileWarning> warnings)
    {
        var unset = new HashSet<string>(StringComparer.Ordinal);
        string name;
        try
        {
            name = ShellWordLexer.Expand(stage.Image.Text, n => globalArgs.TryGetValue(n, out var v) ? v : null, escape, unset);
        }
        catch (ShellExpansionException e)
        {
            throw stage.From.Error(path, stage.Image.Offset, $"the image '{stage.Image.Text}' of this FROM cannot be expanded: {e.Message}");
        }
        if (name.Length == 0)
        {
            throw stage.From.Error(path, stage.Image.Offset,
                $"the image '{stage.Image.Text}' of this FROM expands to nothing: declare the ARG it uses with a default before the first FROM (ARG NAME=value), or set it in build.args");
        }
        foreach (var variable in unset)
        {
            warnings.Add(stage.From.Warning(stage.Image.Offset,
                $"${variable} expands to nothing in this FROM: only ARGs declared before the first FROM (and build args) are visible in FROM lines"));
        }
        return name;
    }

    private static DockerfileException TargetNotFound(string target, List<BuildStage> stages, string path)
    {
        var named = stages.Where(s => s.Name is not null).Select(s => $"{s.Name} (line {s.From.Line})").ToList();
        var known = named.Count > 0 ? $"its stages are {string.Join(", ", named)}: set build.target to one of them" : "it has no named stages (FROM <image> AS <name>): name one, or remove build.target";
        return new DockerfileException($"the build target '{target}' is not a stage of this Dockerfile; {known}", path, 0, 0);
    }

    /// <summary>Docker ignores (and warns about) a build arg no ARG declares.</summary>
    private static void WarnUndeclaredBuildArgs(IReadOnlyDictionary<string, string?> buildArgs, IEnumerable<Instruction> instructions, InstructionParser parser,
        Dictionary<string, string> globalArgs, List<DockerfileWarning> warnings)
    {
        var declared = instructions.Where(i => i.Name == "arg").SelectMany(parser.Arg).Select(p => p.Key.Text).ToHashSet(StringComparer.Ordinal);
        foreach (var name in buildArgs.Keys.Order(StringComparer.Ordinal))
        {
            if (!declared.Contains(name) && !PredefinedArgs.Contains(name) && !globalArgs.ContainsKey(name) && !name.StartsWith("BUILDKIT_", StringComparison.Ordinal))
            {
                warnings.Add(new DockerfileWarning(0, 0,
                    $"the build arg '{name}' is not declared by any ARG of this Dockerfile, so Docker does not use it: add 'ARG {name}' where it is needed, or remove it from build.args"));
            }
        }
    }
}

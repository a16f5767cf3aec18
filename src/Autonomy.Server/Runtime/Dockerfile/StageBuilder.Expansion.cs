using System.Globalization;

namespace Autonomy.Server.Runtime.Dockerfile;

internal sealed partial class StageBuilder
{
    private static readonly HashSet<string> SignalNames =
    [
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
        "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1",
        "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
    ];

    /// <summary>One word expanded against the stage's variables; problems point at the word.</summary>
    private string Expand(BuildStage stage, Instruction instruction, ArgumentWord word, string what)
    {
        var unset = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var value = ShellWordLexer.Expand(word.Text, stage.Lookup, escape, unset);
            ReportUnset(stage, instruction, word, unset);
            return value;
        }
        catch (ShellExpansionException e)
        {
            throw ExpansionError(instruction, word, what, e);
        }
    }

    private IReadOnlyList<string> ExpandWords(BuildStage stage, Instruction instruction, ArgumentWord word, string what)
    {
        var unset = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var words = ShellWordLexer.ExpandWords(word.Text, stage.Lookup, escape, unset);
            ReportUnset(stage, instruction, word, unset);
            return words;
        }
        catch (ShellExpansionException e)
        {
            throw ExpansionError(instruction, word, what, e);
        }
    }

    private DockerfileException ExpansionError(Instruction instruction, ArgumentWord word, string what, ShellExpansionException e)
    {
        var fix = e.MissingValue
            ? "give the variable a value with ENV or ARG before this line, or through build.args in the compose file"
            : "close every quote and ${…}, and escape a literal $ as \\$";
        return instruction.Error(path, word.Offset, $"{what} '{word.Text}' cannot be expanded: {e.Message}; {fix}");
    }

    /// <summary>
    /// A plain <c>$NAME</c> with no value is legal and expands to nothing, but is usually a mistake: most often a
    /// global ARG used after FROM without being declared again, or a variable the base image would have set.
    /// </summary>
    private void ReportUnset(BuildStage stage, Instruction instruction, ArgumentWord word, HashSet<string> unset)
    {
        foreach (var name in unset)
        {
            if (!_reportedUnset.Add((instruction.Line, name)))
            {
                continue;
            }
            var why = globalArgs.ContainsKey(name) || buildArgs.ContainsKey(name)
                ? $"{name} is an ARG of the FROM lines (or a build arg) but this stage does not declare it: add 'ARG {name}' to the stage before this line"
                : stage.RootImage == "scratch"
                    ? $"no ENV or ARG sets {name} before this line"
                    : $"no ENV or ARG sets {name} before this line; Docker would take it from the image {stage.RootImage} if that image sets it, which Autonomy cannot see";
            warnings.Add(instruction.Warning(word.Offset, $"${name} expands to nothing here: {why}"));
        }
    }

    /// <summary>
    /// The ports of one EXPOSE word as Docker's port-spec parser reads it (<c>[ip:][hostPort:]port[-end][/proto]</c>,
    /// only the container port counting), one entry per port: "8080" for TCP, "53/udp" otherwise.
    /// </summary>
    private IEnumerable<string> ExposedPorts(Instruction instruction, ArgumentWord word, string spec)
    {
        var parts = spec[(spec.LastIndexOf(':') + 1)..].Split('/');
        var range = parts[0];
        var protocol = parts.Length < 2 || parts[1].Length == 0 ? "tcp" : parts[1].ToLowerInvariant();
        if (!TryPortRange(range, out var start, out var end) || protocol is not ("tcp" or "udp" or "sctp"))
        {
            var shown = spec == word.Text ? $"'{spec}'" : $"'{spec}' (from '{word.Text}')";
            throw instruction.Error(path, word.Offset,
                $"{shown} is not a port: EXPOSE takes port numbers or ranges (8080, 8000-8010), each optionally followed by /tcp, /udp or /sctp");
        }
        var suffix = protocol == "tcp" ? "" : "/" + protocol;
        for (var port = start; port <= end; port++)
        {
            yield return port.ToString(CultureInfo.InvariantCulture) + suffix;
        }
    }

    private static bool TryPortRange(string range, out int start, out int end)
    {
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? range : range[..dash];
        var last = dash < 0 ? range : range[(dash + 1)..];
        var ok = ushort.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            & ushort.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to);
        (start, end) = (from, to);
        return ok && to >= from;
    }

    /// <summary>What Docker's signal parser accepts: a non-zero number, or a Linux signal name with or without SIG.</summary>
    private static bool IsSignal(string value)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number != 0;
        }
        var name = value.ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (SignalNames.Contains(name))
        {
            return true;
        }
        return (name.StartsWith("RTMIN+", StringComparison.Ordinal) && int.TryParse(name[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var plus) && plus is >= 1 and <= 15)
            || (name.StartsWith("RTMAX-", StringComparison.Ordinal) && int.TryParse(name[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var minus) && minus is >= 1 and <= 14);
    }
}

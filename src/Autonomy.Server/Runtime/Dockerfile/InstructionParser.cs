using System.Text.RegularExpressions;

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// The checks Docker makes on each instruction's arguments before building anything (how many, which form, which
/// flags), with messages that say how to write it instead. Variables are not expanded here.
/// </summary>
internal sealed partial class InstructionParser(string path, char escape)
{
    /// <summary>Throws when the instruction breaks one of Docker's parse rules.</summary>
    public void Validate(Instruction instruction)
    {
        switch (instruction.Name)
        {
            case "from":
                From(instruction);
                break;
            case "env" or "label":
                KeyValues(instruction);
                break;
            case "arg":
                Arg(instruction);
                break;
            case "cmd" or "entrypoint":
                Command(instruction);
                break;
            case "shell":
                Shell(instruction);
                break;
            case "workdir" or "user" or "stopsignal" or "maintainer":
                Single(instruction);
                break;
            case "expose":
                Expose(instruction);
                break;
            case "run":
                Command(instruction, flagsAllowed: true);
                break;
            case "copy" or "add":
                Sources(instruction);
                break;
            case "volume":
                Volume(instruction);
                break;
            case "healthcheck":
                HealthCheck(instruction);
                break;
            case "onbuild":
                OnBuild(instruction);
                break;
        }
    }

    /// <summary>FROM [--platform=…] image [AS name]: the image word (not yet expanded) and the stage name, lower-cased.</summary>
    public (ArgumentWord Image, string? StageName) From(Instruction instruction)
    {
        Flags(instruction, "platform");
        var words = InstructionArguments.Blanks(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd);
        if (words.Count == 3 && words[1].Text.Equals("as", StringComparison.OrdinalIgnoreCase))
        {
            var name = words[2].Text.ToLowerInvariant();
            if (!StageNamePattern().IsMatch(name))
            {
                throw instruction.Error(path, words[2].Offset,
                    $"'{words[2].Text}' is not a valid stage name: a stage name starts with a letter and holds only letters, digits, '-', '_' and '.'");
            }
            return (words[0], name);
        }
        if (words.Count != 1)
        {
            throw instruction.Error(path, words.Count > 0 ? words[0].Offset : instruction.KeywordOffset,
                "FROM takes an image, optionally followed by AS and a stage name: write 'FROM python:3.12' or 'FROM python:3.12 AS build'");
        }
        return (words[0], null);
    }

    /// <summary>ENV and LABEL: <c>NAME=value …</c>, or the legacy <c>NAME value</c> whose value is the rest of the line.</summary>
    public List<KeyValueArgument> KeyValues(Instruction instruction)
    {
        Flags(instruction);
        var text = instruction.Source.Text;
        var display = instruction.Display;
        var words = InstructionArguments.Words(text, instruction.ArgsStart, instruction.ArgsEnd, escape);
        if (words.Count == 0)
        {
            throw instruction.Error(path, instruction.ArgsStart, $"{display} needs at least one NAME=value: write '{display} NAME=value'");
        }
        var pairs = new List<KeyValueArgument>();
        if (!words[0].Text.Contains('='))
        {
            // The legacy form: the first blank run separates the name from a value that runs to the end of the line.
            var nameEnd = instruction.ArgsStart;
            while (nameEnd < instruction.ArgsEnd && !GoWhitespace.IsBlank(text[nameEnd]))
            {
                nameEnd++;
            }
            var valueStart = nameEnd;
            while (valueStart < instruction.ArgsEnd && GoWhitespace.IsBlank(text[valueStart]))
            {
                valueStart++;
            }
            var name = text[instruction.ArgsStart..nameEnd];
            if (valueStart >= instruction.ArgsEnd)
            {
                throw instruction.Error(path, instruction.ArgsStart, $"{display} {name} has no value: write '{display} {name}=value'");
            }
            pairs.Add(new KeyValueArgument(new ArgumentWord(name, instruction.ArgsStart), new ArgumentWord(text[valueStart..instruction.ArgsEnd], valueStart)));
            return pairs;
        }
        foreach (var word in words)
        {
            var equals = word.Text.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw instruction.Error(path, word.Offset,
                    $"'{word.Text}' has no '=': once the first pair of an {display} is NAME=value, every word must be one (quote a value that holds spaces: NAME=\"a b\")");
            }
            if (equals == 0)
            {
                throw instruction.Error(path, word.Offset, $"'{word.Text}' has no name before the '=': write NAME=value");
            }
            pairs.Add(new KeyValueArgument(new ArgumentWord(word.Text[..equals], word.Offset), new ArgumentWord(word.Text[(equals + 1)..], word.Offset + equals + 1)));
        }
        return pairs;
    }

    /// <summary>ARG NAME[=default] …</summary>
    public List<KeyValueArgument> Arg(Instruction instruction)
    {
        Flags(instruction);
        var words = InstructionArguments.Words(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd, escape);
        if (words.Count == 0)
        {
            throw instruction.Error(path, instruction.ArgsStart, "ARG needs a name: write 'ARG NAME' or 'ARG NAME=default'");
        }
        var pairs = new List<KeyValueArgument>();
        foreach (var word in words)
        {
            var equals = word.Text.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                throw instruction.Error(path, word.Offset, $"'{word.Text}' has no name before the '=': write 'ARG NAME=default'");
            }
            pairs.Add(equals < 0
                ? new KeyValueArgument(word, null)
                : new KeyValueArgument(new ArgumentWord(word.Text[..equals], word.Offset), new ArgumentWord(word.Text[(equals + 1)..], word.Offset + equals + 1)));
        }
        return pairs;
    }

    /// <summary>
    /// CMD, ENTRYPOINT and RUN: a JSON array of strings (exec form), or any other text (shell form, one word, possibly
    /// empty). Text that starts with '[' but is not valid JSON is the shell form too, as in Docker.
    /// </summary>
    public (IReadOnlyList<string> Words, bool Json) Command(Instruction instruction, bool flagsAllowed = false)
    {
        if (!flagsAllowed)
        {
            Flags(instruction);
        }
        var args = instruction.Args;
        if (args.Length == 0)
        {
            return ([""], false);
        }
        if (InstructionArguments.TryJsonArray(args, out var words, out var notStrings))
        {
            return (words, true);
        }
        if (notStrings)
        {
            throw instruction.Error(path, instruction.ArgsStart,
                $"the JSON array of this {instruction.Display} holds something other than strings, which Docker rejects: quote every element, as in {instruction.Display} [\"python\", \"app.py\", \"--port\", \"8080\"]");
        }
        return ([args], false);
    }

    /// <summary>SHELL ["executable", "parameters"…]: only the JSON form.</summary>
    public IReadOnlyList<string> Shell(Instruction instruction)
    {
        var (words, json) = Command(instruction);
        if (!json)
        {
            throw instruction.Error(path, instruction.ArgsStart, "SHELL takes a JSON array: write SHELL [\"/bin/bash\", \"-c\"]");
        }
        if (words.Count == 0)
        {
            throw instruction.Error(path, instruction.ArgsStart, "SHELL needs at least the shell program: write SHELL [\"/bin/bash\", \"-c\"]");
        }
        return words;
    }

    /// <summary>WORKDIR, USER, STOPSIGNAL, MAINTAINER: the whole rest of the line is the one argument.</summary>
    public ArgumentWord Single(Instruction instruction)
    {
        Flags(instruction);
        if (instruction.ArgsStart >= instruction.ArgsEnd)
        {
            var example = instruction.Name switch
            {
                "workdir" => "WORKDIR /app",
                "user" => "USER app",
                "stopsignal" => "STOPSIGNAL SIGTERM",
                _ => "MAINTAINER name",
            };
            throw instruction.Error(path, instruction.KeywordOffset, $"{instruction.Display} needs a value: write '{example}'");
        }
        return new ArgumentWord(instruction.Args, instruction.ArgsStart);
    }

    /// <summary>EXPOSE port[/protocol] …, not yet expanded.</summary>
    public List<ArgumentWord> Expose(Instruction instruction)
    {
        Flags(instruction);
        var words = InstructionArguments.Blanks(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd);
        if (words.Count == 0)
        {
            throw instruction.Error(path, instruction.KeywordOffset, "EXPOSE needs at least one port: write 'EXPOSE 8080' or 'EXPOSE 53/udp'");
        }
        return words;
    }

    private void Sources(Instruction instruction)
    {
        IReadOnlyList<string> words = InstructionArguments.TryJsonArray(instruction.Args, out var json, out var notStrings)
            ? json
            : notStrings ? throw NotStrings(instruction)
            : InstructionArguments.Blanks(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd).Select(w => w.Text).ToList();
        if (words.Count >= 2)
        {
            return;
        }
        var display = instruction.Display;
        var only = words.Count == 1 ? words[0] : "";
        var message = words.Count == 0
            ? $"{display} has no arguments, but needs a source and a destination"
            : $"{display} has only one argument, '{only}', but needs a source and a destination";
        var fix = only.Length > 1 && only.EndsWith('.') ? $"is a space missing before the final '.'? ('{display} {only[..^1]} .')"
            : $"write '{display} <source> <destination>', e.g. '{display} . .'";
        throw instruction.Error(path, instruction.ArgsStart < instruction.ArgsEnd ? instruction.ArgsStart : instruction.KeywordOffset, $"{message}: {fix}");
    }

    private void Volume(Instruction instruction)
    {
        IReadOnlyList<string> words = InstructionArguments.TryJsonArray(instruction.Args, out var json, out var notStrings)
            ? json
            : notStrings ? throw NotStrings(instruction)
            : InstructionArguments.Blanks(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd).Select(w => w.Text).ToList();
        if (words.Count == 0 || words.Any(w => w.Trim().Length == 0))
        {
            throw instruction.Error(path, instruction.KeywordOffset, "VOLUME needs one or more non-empty paths: write 'VOLUME /data'");
        }
    }

    private void HealthCheck(Instruction instruction)
    {
        var words = InstructionArguments.Blanks(instruction.Source.Text, instruction.ArgsStart, instruction.ArgsEnd);
        var type = words.Count > 0 ? words[0].Text.ToUpperInvariant() : "";
        if (type == "NONE" && words.Count == 1)
        {
            return;
        }
        if (type == "CMD" && words.Count > 1)
        {
            var rest = instruction.Args[(words[1].Offset - instruction.ArgsStart)..];
            if (!InstructionArguments.TryJsonArray(rest, out _, out var notStrings) && notStrings)
            {
                throw NotStrings(instruction);
            }
            return;
        }
        throw instruction.Error(path, instruction.ArgsStart < instruction.ArgsEnd ? instruction.ArgsStart : instruction.KeywordOffset,
            "HEALTHCHECK takes 'NONE' or 'CMD <command>': write 'HEALTHCHECK CMD curl -f http://localhost/'");
    }

    private void OnBuild(Instruction instruction)
    {
        Flags(instruction);
        var trigger = instruction.Trigger()
            ?? throw instruction.Error(path, instruction.KeywordOffset, "ONBUILD needs the instruction to run later: write 'ONBUILD RUN …'");
        if (trigger.Name is "onbuild" or "from" or "maintainer")
        {
            throw instruction.Error(path, trigger.KeywordOffset, $"{trigger.Display} is not allowed as an ONBUILD trigger");
        }
    }

    /// <summary>Leading <c>--name[=value]</c> words: only those the instruction takes (<paramref name="allowed"/>, all with a value).</summary>
    private void Flags(Instruction instruction, params string[] allowed)
    {
        foreach (var flag in instruction.Flags)
        {
            var text = flag.Text.StartsWith("--", StringComparison.Ordinal) ? flag.Text[2..] : flag.Text;
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? text : text[..equals];
            if (!allowed.Contains(name))
            {
                var display = instruction.Display;
                var fix = display is "CMD" or "ENTRYPOINT"
                    ? $"to pass it to the program, use the exec form: {display} [\"…\", \"--{name}\"]"
                    : allowed.Length > 0 ? $"{display} takes only --{string.Join(", --", allowed)}" : $"{display} takes no flags: remove it";
                throw instruction.Error(path, flag.Offset, $"Docker reads '--{name}' right after {display} as a flag of the instruction, and {display} has no such flag: {fix}");
            }
            if (equals < 0)
            {
                throw instruction.Error(path, flag.Offset, $"the flag --{name} needs a value: write --{name}=<value>");
            }
        }
    }

    private DockerfileException NotStrings(Instruction instruction) => instruction.Error(path, instruction.ArgsStart,
        $"the JSON array of this {instruction.Display} holds something other than strings, which Docker rejects: quote every element");

    [GeneratedRegex(@"^[a-z][a-z0-9\-_.]*$", RegexOptions.CultureInvariant)]
    private static partial Regex StageNamePattern();
}

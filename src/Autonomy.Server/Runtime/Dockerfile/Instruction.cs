namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// One instruction split as BuildKit splits it: the keyword, the leading <c>--flags</c>, and the trimmed rest, each
/// with its offset in <see cref="Source"/> so that any problem can be reported at its file line and column.
/// </summary>
internal sealed class Instruction
{
    private Instruction(LogicalLine source, string keyword, int keywordOffset, IReadOnlyList<ArgumentWord> flags, int argsStart, int argsEnd)
    {
        Source = source;
        Keyword = keyword;
        KeywordOffset = keywordOffset;
        Flags = flags;
        ArgsStart = argsStart;
        ArgsEnd = argsEnd;
    }

    public LogicalLine Source { get; }

    /// <summary>As written (<c>cmd</c>, <c>Cmd</c>, <c>CMD</c>).</summary>
    public string Keyword { get; }

    /// <summary>The keyword in lower case.</summary>
    public string Name => Keyword.ToLowerInvariant();

    /// <summary>The keyword in upper case, for messages.</summary>
    public string Display => Keyword.ToUpperInvariant();

    public int KeywordOffset { get; }

    public IReadOnlyList<ArgumentWord> Flags { get; }

    public int ArgsStart { get; }

    public int ArgsEnd { get; }

    public string Args => Source.Text[ArgsStart..ArgsEnd];

    /// <summary>The file line the instruction starts on.</summary>
    public int Line => Source.Locate(KeywordOffset).Line;

    /// <summary>Splits <paramref name="source"/>[start..end) into keyword, flags and arguments.</summary>
    public static Instruction Create(LogicalLine source, int start, int end)
    {
        var text = source.Text;
        (start, end) = GoWhitespace.Trim(text, start, end);
        var keywordEnd = start;
        while (keywordEnd < end && !GoWhitespace.IsBlank(text[keywordEnd]))
        {
            keywordEnd++;
        }
        var keyword = text[start..keywordEnd];
        var restStart = keywordEnd;
        while (restStart < end && GoWhitespace.IsBlank(text[restStart]))
        {
            restStart++;
        }
        if (restStart >= end)
        {
            return new Instruction(source, keyword, start, [], end, end);
        }
        var (flags, rest) = InstructionArguments.Flags(text, restStart, end);
        var (argsStart, argsEnd) = GoWhitespace.Trim(text, rest, end);
        return new Instruction(source, keyword, start, flags, argsStart, argsEnd);
    }

    /// <summary>For ONBUILD: the instruction it carries, which runs when a later stage is built FROM this one.</summary>
    public Instruction? Trigger() => Name == "onbuild" && ArgsStart < ArgsEnd ? Create(Source, ArgsStart, ArgsEnd) : null;

    /// <summary>RUN, COPY and ADD in shell form (also under ONBUILD) may carry heredocs, whose bodies follow the instruction.</summary>
    public bool CanContainHeredoc()
    {
        var target = Name == "onbuild" ? Trigger() : this;
        return target is not null && target.Name is "run" or "copy" or "add"
            && !InstructionArguments.TryJsonArray(target.Args, out _, out _);
    }

    public (int Line, int Column) Locate(int offset) => Source.Locate(offset);

    public DockerfileException Error(string path, int offset, string message)
    {
        var (line, column) = Locate(offset);
        return new DockerfileException(message, path, line, column);
    }

    public DockerfileWarning Warning(int offset, string message)
    {
        var (line, column) = Locate(offset);
        return new DockerfileWarning(line, column, message);
    }
}

using Autonomy.Server.Compose.EnvFiles;
using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class DotEnvFormatTests
{
    private static IReadOnlyList<ConfigEntry> Parse(string text) => ConfigFormats.Parse(ConfigFormat.DotEnv, text);

    private static string Write(params ConfigEntry[] entries) => ConfigFormats.Write(ConfigFormat.DotEnv, entries);

    [Fact]
    public void DoubleUnderscoresSeparateThePartsOfAKey()
    {
        Assert.Equal(
            [new("Logging:LogLevel:Default", "Information"), new("a:_b", "1"), new("PLAIN", "x")],
            Parse("Logging__LogLevel__Default=Information\na___b=1\nPLAIN=x\n"));
    }

    [Fact]
    public void TheFlaskSettingsAsDotEnv()
    {
        Assert.Equal(
            [new("SECRET_KEY", "supersecretkey"), new("flask:DEBUG", "True")],
            Parse("SECRET_KEY='supersecretkey'\nflask__DEBUG=True\n"));
    }

    [Fact]
    public void UnquotedValuesAreTrimmedAndCutAtAnInlineComment()
    {
        Assert.Equal(
            [
                new("A", "spaced value"),
                new("B", "a#b"),
                new("C", "x"),
                new("D", "#starts with a hash"),
                new("E", ""),
                new("F", "${NOT_INTERPOLATED} $HOME"),
                new("G", "a=b: c"),
                new("H", @"back\slash"),
            ],
            Parse("A =  spaced value  \nB=a#b\nC=x # comment\nD=#starts with a hash\nE=\nF=${NOT_INTERPOLATED} $HOME\nG=a=b: c\nH=back\\slash\n"));
    }

    [Fact]
    public void QuotedValuesAreLiteralOrEscapedAndMaySpanLines()
    {
        var text = "export A='single $X \\n kept'\nB=\"tab\\there\\nnew \\\"q\\\" \\\\ \\$HOME \\x kept\"\nC=\"first\nsecond\" # comment\nD='multi\r\nline'\nE=\"  padded  \"\n";
        Assert.Equal(
            [
                new("A", "single $X \\n kept"),
                new("B", "tab\there\nnew \"q\" \\ $HOME \\x kept"),
                new("C", "first\nsecond"),
                new("D", "multi\nline"),
                new("E", "  padded  "),
            ],
            Parse(text));
    }

    [Fact]
    public void ExportIsAPrefixOnlyBeforeAName()
    {
        Assert.Equal([new("export", "1"), new("exported", "2"), new("X", "3")], Parse("export=1\nexported=2\nexport   X=3\n"));
    }

    [Fact]
    public void ALaterAssignmentOverridesAnEarlierOne()
    {
        Assert.Equal([new("A", "2"), new("B", "3")], Parse("A=1\nB=3\nA=2\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    [InlineData("# comment\n  # indented comment\n")]
    public void EmptyIsNoEntries(string text) => Assert.Empty(Parse(text));

    [Theory]
    [InlineData("A=1\nno equals here\n", 2, 1, "'no equals here' has no '=': a line must be KEY=VALUE, a comment (#) or blank")]
    [InlineData("  =value\n", 1, 3, "the line has no variable name before '='")]
    [InlineData("MY-KEY=1\n", 1, 3, "'MY-KEY' is not a valid variable name: it must start with a letter or '_' and hold only letters, digits and '_'")]
    [InlineData("1KEY=1\n", 1, 1, "'1KEY' is not a valid variable name: it must start with a letter or '_' and hold only letters, digits and '_'")]
    [InlineData("Logging:Level=1\n", 1, 8, "'Logging:Level' is not a valid variable name: it must start with a letter or '_' and hold only letters, digits and '_'")]
    [InlineData("A=1\nB=\"never closed\nC=2\n", 2, 3, "the double quote that opens the value of B is never closed")]
    [InlineData("B=  'never closed\n", 1, 5, "the single quote that opens the value of B is never closed")]
    [InlineData("B=\"x\" y\n", 1, 7, "unexpected text after the closing quote of the value of B")]
    public void AMalformedLineIsAnErrorAtItsPosition(string text, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void EveryMalformedLineIsReported()
    {
        var e = Assert.Throws<ConfigFormatException>(() => Parse("A=1\nnope\nB-C=2\nD=\"multi\nline\" x\nE='open\n"));
        Assert.Equal([(2, 1), (3, 2), (5, 7), (6, 3)], e.Errors.Select(x => (x.Line, x.Column)));
    }

    [Fact]
    public void ExportQuotesOnlyWhatIsNotSafeUnquoted()
    {
        var text = Write(
            new("Logging:LogLevel:Default", "Information"),
            new("EMPTY", ""),
            new("URL", "http://host:80/?a=b#frag"),
            new("PADDED", " x "),
            new("COMMENTLIKE", "a #b"),
            new("HASH", "#x"),
            new("QUOTE", "'q'"),
            new("DOLLAR", "$HOME"),
            new("DOLLAR_QUOTE", "it's $5"),
            new("MULTI", "a\nb\tc\r"),
            new("BACKSLASH", @"C:\x"),
            new("UNICODE", "\u00e9t\u00e9 \U0001F600"));
        Assert.Equal(
            "BACKSLASH=C:\\x\nCOMMENTLIKE=\"a #b\"\nDOLLAR='$HOME'\nDOLLAR_QUOTE=\"it's \\$5\"\nEMPTY=\nHASH=\"#x\"\n"
                + "Logging__LogLevel__Default=Information\nMULTI=\"a\\nb\\tc\\r\"\nPADDED=\" x \"\nQUOTE=\"'q'\"\nUNICODE=\u00e9t\u00e9 \U0001F600\n"
                + "URL=http://host:80/?a=b#frag\n",
            text);
    }

    [Theory]
    [InlineData("my-key", "'my-key' is not a variable name")]
    [InlineData("1st", "'1st' is not a variable name")]
    [InlineData("a.b", "'a.b' is not a variable name")]
    [InlineData("A__B", "would read back as 'A:B'")]
    [InlineData("a_:b", "would read back as 'a:_b'")]
    public void ExportRefusesKeysThatAreNotVariableNamesNamingThem(string key, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new ConfigEntry(key, "v")));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void DockerComposeReadsTheExportAsTheEntriesWere()
    {
        // Autonomy's compose loader reads env files by compose-go's rules, interpolation included: the export must not
        // leave a '$' for it to expand.
        ConfigEntry[] entries =
        [
            new("A", "plain"), new("B", ""), new("C", " padded "), new("D", "$HOME and ${X}"), new("E", "it's $5"),
            new("F", "multi\nline"), new("G", "x #not a comment"), new("H", "\"dq\" 'sq'"), new("I", @"back\slash"),
            new("J", "\u00e9t\u00e9 \U0001F600"), new("K__L", "nested"), new("M", "tab\there"),
        ];
        var text = Write([.. entries.Select(e => e with { Key = e.Key.Replace("__", ":", StringComparison.Ordinal) })]);
        var compose = DotEnvParser.Parse(text, _ => null);
        Assert.Equal(entries.Select(e => (e.Key, e.Value)), compose.Select(e => (e.Key, e.Value!)));
    }
}

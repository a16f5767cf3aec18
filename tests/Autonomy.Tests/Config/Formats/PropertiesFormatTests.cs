using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class PropertiesFormatTests
{
    private static IReadOnlyList<ConfigEntry> Parse(string text) => ConfigFormats.Parse(ConfigFormat.Properties, text);

    private static string Write(params ConfigEntry[] entries) => ConfigFormats.Write(ConfigFormat.Properties, entries);

    [Fact]
    public void EqualsColonAndBlankSeparateKeyAndValueAndDotsSeparateParts()
    {
        Assert.Equal(
            [
                new("server:port", "8080"),
                new("server:host", "localhost"),
                new("spring:datasource:url", "jdbc:h2:mem:db"),
                new("padded", "value with trailing blanks  "),
                new("empty", ""),
                new("alone", ""),
                new("twice", "= second is kept"),
            ],
            Parse("server.port=8080\nserver.host: localhost\nspring.datasource.url  jdbc:h2:mem:db\n  padded  =  value with trailing blanks  \nempty=\nalone\ntwice = = second is kept\n"));
    }

    [Fact]
    public void TheFlaskSettingsAsProperties()
    {
        Assert.Equal(
            [new("SECRET_KEY", "'supersecretkey'"), new("flask:DEBUG", "True")],
            Parse("SECRET_KEY ='supersecretkey'\nflask.DEBUG = True\n"));
    }

    [Fact]
    public void CommentsAndContinuationsAreJavas()
    {
        var text = "# comment\n  ! also a comment \\\nnot.continued=1\nlong = first \\\n      second \\\n\tthird\nodd = ends with a backslash\\\\\nnext = x\n";
        Assert.Equal(
            [new("not:continued", "1"), new("long", "first second third"), new("odd", "ends with a backslash\\"), new("next", "x")],
            Parse(text));
    }

    [Fact]
    public void EscapesAreExpandedInKeysAndValues()
    {
        Assert.Equal(
            [new("key with = and : and #", "\t\n\r\f \u00e9 \U0001F600 \\ x"), new("a:b", "escaped colon is a separator")],
            Parse("key\\ with\\ \\=\\ and\\ \\:\\ and\\ \\#=\\t\\n\\r\\f\\ \\u00e9 \\uD83D\\ude00 \\\\ \\x\na\\:b = escaped colon is a separator\n"));
    }

    [Fact]
    public void ALaterAssignmentOverridesAnEarlierOneButTwoSpellingsOfAKeyAreADuplicate()
    {
        Assert.Equal([new("a:b", "2")], Parse("a.b=1\na.b=2\n"));
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse("a.b=1\na\\:b=2\n")).Errors);
        Assert.Equal((2, 1, "the key 'a:b' is defined twice: on line 1 and on line 2"), (error.Line, error.Column, error.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n \n\t\n")]
    [InlineData("# comment\n! comment\n")]
    public void EmptyIsNoEntries(string text) => Assert.Empty(Parse(text));

    [Theory]
    [InlineData("a=1\nkey = bad \\u12G4 escape\n", 2, 11, "malformed \\uXXXX escape '\\u12G4': \\u must be followed by four hexadecimal digits")]
    [InlineData("key\\u00=1\n", 1, 4, "malformed \\uXXXX escape '\\u00': \\u must be followed by four hexadecimal digits")]
    [InlineData("key = \\u12", 1, 7, "malformed \\uXXXX escape '\\u12': \\u must be followed by four hexadecimal digits")]
    [InlineData("key = first \\\n    \\uXYZW\n", 2, 5, "malformed \\uXXXX escape '\\uXYZW': \\u must be followed by four hexadecimal digits")]
    [InlineData("= no key\n", 1, 1, "empty key: a config key needs a name")]
    public void AMalformedLineIsAnErrorAtItsPosition(string text, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void EveryMalformedEscapeIsReported()
    {
        var e = Assert.Throws<ConfigFormatException>(() => Parse("a\\uZ=\\u1 and \\u2\nb=\\u0041\nc=\\u\n"));
        Assert.Equal([(1, 2), (1, 6), (1, 14), (3, 3)], e.Errors.Select(x => (x.Line, x.Column)));
    }

    [Fact]
    public void ExportEscapesWhatJavaWouldReadOtherwise()
    {
        var text = Write(
            new("server:port", "8080"),
            new("a key=#!", "value = : # ! kept"),
            new("padded", "  both ends  "),
            new("multi", "a\nb\tc\r\fd"),
            new("backslash", @"C:\path"),
            new("unicode", "\u00e9t\u00e9 \U0001F600"),
            new("empty", ""));
        Assert.Equal(
            "a\\ key\\=\\#\\!=value = : # ! kept\nbackslash=C:\\\\path\nempty=\nmulti=a\\nb\\tc\\r\\fd\npadded=\\ \\ both ends\\u0020\\u0020\n"
                + "server.port=8080\nunicode=\\u00E9t\\u00E9 \\uD83D\\uDE00\n",
            text);
    }

    [Fact]
    public void ExportRefusesAKeyWithADotNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new ConfigEntry("server.port", "1")));
        Assert.Contains("'server.port'", e.Message);
        Assert.Contains("would read back as ':'", e.Message);
    }

    [Fact]
    public void JavaReadsTheExportAsTheEntriesWere()
    {
        ConfigEntry[] entries =
        [
            new("server:port", "8080", ConfigEntry.Json),
            new("empty", ""),
            new("padded", "  both ends  "),
            new("spaces", "   "),
            new(" key starting with a space", "v"),
            new("#hash:!bang", "starts like a comment"),
            new("separators=:", "= value : starting with a separator"),
            new("hashes", "#not a comment ! either"),
            new("multi", "first\nsecond\r\nthird\ttab\fform"),
            new("backslash", @"C:\path\to\"),
            new("unicode", "\u00e9t\u00e9 \u2713 \U0001F600 \u4e2d\u6587"),
            new("control", "\u0001\u007f\u0085"),
        ];
        var text = Write(entries);
        var java = Assert.Single(Peers.LoadProperties(utf8: false, text));
        Assert.Equal(
            entries.Select(e => (e.Key.Replace(':', '.'), e.Value)).OrderBy(e => e.Item1, StringComparer.Ordinal),
            java.Select(e => (e.Key, e.Value)).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void JavaReadsTheseTextsAsTheImportDoes()
    {
        string[] texts =
        [
            "server.port=8080\nserver.host: localhost\nspring.datasource.url  jdbc:h2:mem:db\n  padded  =  value with trailing blanks  \nempty=\nalone\ntwice = = second is kept\n",
            "# comment\n  ! also a comment \\\nnot.continued=1\nlong = first \\\n      second \\\n\tthird\nodd = ends with a backslash\\\\\nnext = x\n",
            "key\\ with\\ \\=\\ and\\ \\:\\ and\\ \\#=\\t\\n\\r\\f\\ \\u00e9 \\uD83D\\ude00 \\\\ \\x\n",
            "crlf = a \\\r\n  b\r\ncr = c\rlast=\\\n",
            "raw.unicode = \u00e9t\u00e9 \u2713 \U0001F600\n",
            "a.b=1\na.b=2\n",
        ];
        var java = Peers.LoadProperties(utf8: true, texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(
                java[i].Select(e => (e.Key.Replace('.', ':'), e.Value)).OrderBy(e => e.Item1, StringComparer.Ordinal),
                Parse(texts[i]).Select(e => (e.Key, e.Value)).OrderBy(e => e.Key, StringComparer.Ordinal));
        }
    }
}

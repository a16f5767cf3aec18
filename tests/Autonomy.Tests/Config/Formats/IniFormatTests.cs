using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class IniFormatTests
{
    private const string FlaskCfg = "[DEFAULT]\nSECRET_KEY ='supersecretkey'\n\n[flask]\nDEBUG = True\nTESTING = False\nJSONIFY_PRETTYPRINT_REGULAR = True\n";

    private static IReadOnlyList<ConfigEntry> Parse(string text) => ConfigFormats.Parse(ConfigFormat.Ini, text);

    private static string Write(params ConfigEntry[] entries) => ConfigFormats.Write(ConfigFormat.Ini, entries);

    [Fact]
    public void TheFlaskCfgOfTheArticleKeepsItsQuotesAndCase()
    {
        Assert.Equal(
            [
                new("SECRET_KEY", "'supersecretkey'"),
                new("flask:DEBUG", "True"),
                new("flask:TESTING", "False"),
                new("flask:JSONIFY_PRETTYPRINT_REGULAR", "True"),
            ],
            Parse(FlaskCfg));
    }

    [Fact]
    public void PythonReadsTheFlaskCfgAsTheImportDoes()
    {
        var (entries, error) = Assert.Single(Peers.ReadIni([FlaskCfg]));
        Assert.Null(error);
        Assert.Equal(Parse(FlaskCfg), entries);
    }

    [Fact]
    public void TheKeyEndsAtTheFirstEqualsOrColon()
    {
        Assert.Equal(
            [
                new("s:url", "http://host:80/?a=b"),
                new("s:a", "b: c"),
                new("s:b", "c = d"),
                new("s:spaced key", "value with  inner  spaces"),
                new("s:empty", ""),
            ],
            Parse("[s]\nurl: http://host:80/?a=b\na = b: c\nb: c = d\nspaced key   =   value with  inner  spaces   \nempty =\n"));
    }

    [Fact]
    public void ASectionNameMayHoldColons()
    {
        Assert.Equal([new("a:b:c", "1")], Parse("[a:b]\nc = 1\n"));
    }

    [Fact]
    public void IndentedLinesContinueAValueAndCommentsInsideItAreSkipped()
    {
        var text = "[s]\nkey = first\n    second\n\n  fourth\n  # a comment, not a line of the value\n\tfifth\n\n\nnext = x\n";
        Assert.Equal([new("s:key", "first\nsecond\n\nfourth\nfifth"), new("s:next", "x")], Parse(text));
    }

    [Fact]
    public void AValueMayStartOnTheLineAfterItsKey()
    {
        Assert.Equal([new("s:key", "\nfirst\nsecond")], Parse("[s]\nkey =\n  first\n  second\n"));
    }

    [Fact]
    public void CommentsBlankLinesAndTextAfterAHeaderAreSkipped()
    {
        var text = "# top\n; also\n\n[DEFAULT] ; configparser ignores what follows the bracket\n  # indented comment\nA = 1 ; not a comment\n[s]   \n# x\nB = 2\n";
        Assert.Equal([new("A", "1 ; not a comment"), new("s:B", "2")], Parse(text));
    }

    [Fact]
    public void DefaultMayBeRepeatedAndItsKeysAreNotCopiedIntoSections()
    {
        Assert.Equal([new("a", "1"), new("s:b", "2"), new("c", "3")], Parse("[DEFAULT]\na = 1\n[s]\nb = 2\n[DEFAULT]\nc = 3\n"));
    }

    [Fact]
    public void CrLfAndLoneCrEndLinesAndAByteOrderMarkIsSkipped()
    {
        Assert.Equal([new("s:a", "1\n2"), new("s:b", "3")], Parse("\uFEFF[s]\r\na = 1\r\n  2\rb = 3\r"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("# only a comment\n; and another\n")]
    public void NoSectionsIsNoEntries(string text) => Assert.Empty(Parse(text));

    [Theory]
    [InlineData("a = 1\n[s]\n", 1, 1, "a key before any section header")]
    [InlineData("\n  a = 1\n", 2, 3, "a key before any section header")]
    [InlineData("[s]\njust words\n", 2, 1, "'just words' is not a section header, a key = value line, a comment or an indented continuation line")]
    [InlineData("[s]\n= 1\n", 2, 1, "the line '= 1' has no key before '='")]
    [InlineData("[s]\na = 1\n[t]\n[s]\n", 4, 1, "the section [s] is defined twice: on line 1 and on line 4")]
    [InlineData("[s]\nkey = 1\n  more\nKEY = 2\n", 4, 1, "the key 'KEY' is defined twice in [s]: on line 2 and on line 4")]
    [InlineData("[DEFAULT]\na = 1\n[DEFAULT]\na: 2\n", 4, 1, "the key 'a' is defined twice in [DEFAULT]: on line 2 and on line 4")]
    [InlineData("[s]\n  [unterminated\n", 2, 3, "the section header '[unterminated' has no closing ']'")]
    [InlineData("[]\n", 1, 1, "the section header '[]' has no name")]
    public void AMalformedLineIsAnErrorAtItsPosition(string text, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void EveryErrorIsReportedInLineOrder()
    {
        var e = Assert.Throws<ConfigFormatException>(() => Parse("a = 1\nb = 2\n[s]\nnot a key\n[s]\nx = 1\nx = 2\n"));
        Assert.Equal([(1, 1), (4, 1), (5, 1), (7, 1)], e.Errors.Select(x => (x.Line, x.Column)));
        Assert.Equal("1:1: a key before any section header", e.Message);
        Assert.Contains("[DEFAULT]", e.Errors[0].Hint);
    }

    [Fact]
    public void ConfigParserRefusesWhatTheImportRefuses()
    {
        string[] texts = ["a = 1\n[s]\n", "[s]\njust words\n", "[s]\na = 1\n[s]\n", "[s]\nkey = 1\nKEY = 2\n", "[s]\n= 1\n"];
        foreach (var text in texts)
        {
            Assert.Throws<ConfigFormatException>(() => Parse(text));
        }
        Assert.All(Peers.ReadIni(texts, keepCase: false), result => Assert.NotNull(result.Error));
    }

    [Fact]
    public void ConfigParserReadsTheseTextsAsTheImportDoes()
    {
        string[] texts =
        [
            FlaskCfg,
            "[s]\nkey = first\n    second\n\n  fourth\n  # comment\n\tfifth\n\n\nnext = x\n",
            "[s]\nkey =\n  first\n  second\n",
            "[s]\nurl: http://host:80/?a=b\na = b: c\nb: c = d\n  spaced key   =   value with  inner  spaces   \nempty =\n",
            "# top\n[DEFAULT] ; trailing\nA = 1 ; kept\n[a:b]   \nc = %(A)s 100%\n[x]y]\nk = v\n",
            "[s]\r\na = 1\r\n  2\rb = 3\r",
            "[s]\nkey = a\n  [not a header]\n  x = y\n",
            "[ spaced ]\n\u00e9t\u00e9 = \u00fcn\u00efc\u00f8d\u00e9 \u2713 \U0001F600\n",
            "[s]\nk = a\u00a0\u2003\n\u001c\n",
        ];
        var python = Peers.ReadIni(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Null(python[i].Error);
            Assert.Equal(python[i].Entries, Parse(texts[i]));
        }
    }

    [Fact]
    public void ExportPutsTopLevelKeysUnderDefaultFirstThenSectionsInOrdinalOrder()
    {
        var text = Write(
            new("flask:DEBUG", "True"),
            new("SECRET_KEY", "'supersecretkey'"),
            new("a:b:c", "1"),
            new("flask:note", "first\n\nthird"),
            new("flask:empty", ""),
            new("flask:later", "\nstarts on the next line"));
        Assert.Equal(
            "[DEFAULT]\nSECRET_KEY = 'supersecretkey'\n\n[a:b]\nc = 1\n\n[flask]\nDEBUG = True\nempty =\nlater =\n    starts on the next line\nnote = first\n\n    third\n",
            text);
    }

    [Fact]
    public void ExportOfNothingIsEmpty() => Assert.Equal("", Write());

    [Theory]
    [InlineData("s:k", " leading", "whitespace")]
    [InlineData("s:k", "trailing ", "whitespace")]
    [InlineData("s:k", "line\n  indented", "line 2 of its value starts or ends with whitespace")]
    [InlineData("s:k", "ends with a break\n", "ends with a line break")]
    [InlineData("s:k", "a\r\nb", "'\\r'")]
    [InlineData("s:k", "a\n# b", "comment")]
    [InlineData("s:k", "a\n;b", "comment")]
    [InlineData("s:a=b", "x", "'='")]
    [InlineData("s: k", "x", "whitespace from the start and end of a key")]
    [InlineData("s:#k", "x", "comment")]
    [InlineData("s:[k]", "x", "section header")]
    [InlineData("DEFAULT:k", "x", "[DEFAULT]")]
    [InlineData(":k", "x", "section")]
    [InlineData("s:", "x", "empty")]
    public void ExportRefusesWhatConfigParserWouldNotReadBackNamingTheKey(string key, string value, string reason)
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new ConfigEntry(key, value)));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void ExportRefusesKeysOfASectionThatDifferOnlyInCase()
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new("s:Debug", "1"), new("s:DEBUG", "2")));
        Assert.Contains("'s:DEBUG'", e.Message);
        Assert.Equal("[DEFAULT]\nDebug = 1\n\n[s]\nDEBUG = 2\n", Write(new("Debug", "1"), new("s:DEBUG", "2")));
    }

    [Fact]
    public void ConfigParserReadsTheExportAsTheEntriesWere()
    {
        ConfigEntry[] entries =
        [
            new("SECRET_KEY", "'supersecretkey'"),
            new("flask:DEBUG", "True"),
            new("empty", ""),
            new("percent", "100% %(not)s interpolated"),
            new("equals", "a=b=c"),
            new("colons", "http://host:8080/path"),
            new("hashes", "x # y ; z"),
            new("quotes", "\"double\" and 'single'"),
            new("backslash", @"C:\path\to\"),
            new("unicode", "\u00e9t\u00e9 \u2713 \U0001F600 \u4e2d\u6587"),
            new("multi:line", "first\nsecond\n\nfourth\n[not a header]\nk = v"),
            new("multi:leading", "\nafter an empty first line"),
            new("number", "8080", ConfigEntry.Json),
            new("a:b:c", "deep"),
            new(" spaced section :key with spaces", "v"),
        ];
        var text = Write(entries);
        var (read, error) = Assert.Single(Peers.ReadIni([text]));
        Assert.Null(error);
        var expected = entries.Select(e => e with { ContentType = ConfigEntry.PlainText }).OrderBy(e => e.Key, StringComparer.Ordinal);
        Assert.Equal(expected, read!.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Equal(expected, Parse(text).OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}

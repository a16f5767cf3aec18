using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class YamlFormatTests
{
    private static IReadOnlyList<ConfigEntry> Parse(string text) => ConfigFormats.Parse(ConfigFormat.Yaml, text);

    private static string Write(params ConfigEntry[] entries) => ConfigFormats.Write(ConfigFormat.Yaml, entries);

    private static ConfigEntry Json(string key, string value) => new(key, value, ConfigEntry.Json);

    [Fact]
    public void MappingsAndSequencesFlattenLikeJson()
    {
        var text = """
            Logging:
              LogLevel:
                Default: Information
            servers:
              - a
              - host: b
                port: 8080
            flow: {x: [1, two]}
            none: {}
            nothing: []
            """;
        Assert.Equal(
            [
                new("Logging:LogLevel:Default", "Information"),
                new("servers:0", "a"),
                new("servers:1:host", "b"),
                Json("servers:1:port", "8080"),
                Json("flow:x:0", "1"),
                new("flow:x:1", "two"),
                Json("none", "{}"),
                Json("nothing", "[]"),
            ],
            Parse(text));
    }

    [Fact]
    public void TheFlaskSettingsAsYaml()
    {
        Assert.Equal(
            [new("SECRET_KEY", "'supersecretkey'"), Json("flask:DEBUG", "true"), Json("flask:TESTING", "false")],
            Parse("SECRET_KEY: \"'supersecretkey'\"\nflask:\n  DEBUG: True\n  TESTING: false\n"));
    }

    [Theory]
    [InlineData("8080", "8080", ConfigEntry.Json)]
    [InlineData("-12", "-12", ConfigEntry.Json)]
    [InlineData("+12", "12", ConfigEntry.Json)]
    [InlineData("007", "7", ConfigEntry.Json)]
    [InlineData("0x1F", "31", ConfigEntry.Json)]
    [InlineData("0o17", "15", ConfigEntry.Json)]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567890", ConfigEntry.Json)]
    [InlineData("1.50", "1.50", ConfigEntry.Json)]
    [InlineData("1.", "1.0", ConfigEntry.Json)]
    [InlineData(".5", "0.5", ConfigEntry.Json)]
    [InlineData("-.5e+3", "-0.5e+3", ConfigEntry.Json)]
    [InlineData("1e3", "1e3", ConfigEntry.Json)]
    [InlineData("true", "true", ConfigEntry.Json)]
    [InlineData("True", "true", ConfigEntry.Json)]
    [InlineData("FALSE", "false", ConfigEntry.Json)]
    [InlineData("null", "null", ConfigEntry.Json)]
    [InlineData("~", "null", ConfigEntry.Json)]
    [InlineData("", "null", ConfigEntry.Json)]
    [InlineData(".inf", ".inf", ConfigEntry.PlainText)]
    [InlineData("-.Inf", "-.Inf", ConfigEntry.PlainText)]
    [InlineData(".nan", ".nan", ConfigEntry.PlainText)]
    [InlineData("yes", "yes", ConfigEntry.PlainText)]
    [InlineData("off", "off", ConfigEntry.PlainText)]
    [InlineData("1:30", "1:30", ConfigEntry.PlainText)]
    [InlineData("0x", "0x", ConfigEntry.PlainText)]
    [InlineData("1_000", "1_000", ConfigEntry.PlainText)]
    [InlineData("'8080'", "8080", ConfigEntry.PlainText)]
    [InlineData("\"true\"", "true", ConfigEntry.PlainText)]
    [InlineData("\"\"", "", ConfigEntry.PlainText)]
    [InlineData("!!str 8080", "8080", ConfigEntry.PlainText)]
    [InlineData("! true", "true", ConfigEntry.PlainText)]
    [InlineData("|\n  8080", "8080\n", ConfigEntry.PlainText)]
    public void APlainScalarIsTypedByTheCoreSchemaAndAQuotedOneIsText(string yaml, string value, string contentType)
    {
        Assert.Equal([new ConfigEntry("k", value, contentType)], Parse("k: " + yaml + "\n"));
    }

    [Fact]
    public void AliasesStandForCopiesOfTheirAnchors()
    {
        var text = "base: &base\n  host: h\n  port: 1\ncopy: *base\nlist: [&x one, *x]\n";
        Assert.Equal(
            [
                new("base:host", "h"), Json("base:port", "1"),
                new("copy:host", "h"), Json("copy:port", "1"),
                new("list:0", "one"), new("list:1", "one"),
            ],
            Parse(text));
    }

    [Fact]
    public void KeysAreTheirTextAndAColonInOneSeparatesParts()
    {
        Assert.Equal([new("8080", "a"), new("true", "b"), new("a:b:c", "c"), new("~", "d")], Parse("8080: a\ntrue: b\n\"a:b\": {c: c}\n~: d\n"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("--- ~\n")]
    [InlineData("{}\n")]
    public void EmptyIsNoEntries(string text) => Assert.Empty(Parse(text));

    [Theory]
    [InlineData("- a\n- b\n", 1, 1, "the top level of the file is a sequence, not a mapping")]
    [InlineData("just text\n", 1, 1, "the top level of the file is a scalar, not a mapping")]
    [InlineData("a: 1\nb:\n  c: 2\n  c: 3\n", 4, 3, "the key 'c' is repeated in this mapping: on line 3 and on line 4")]
    [InlineData("a:\n  b: 1\na:b: 2\n", 3, 1, "the key 'a:b' is defined twice: on line 2 and on line 3")]
    [InlineData("base: &b {x: 1}\nother:\n  <<: *b\n", 3, 3, "merge keys ('<<') are not supported: they are a YAML 1.1 type, not part of YAML 1.2")]
    [InlineData("a: !!int 1\n", 1, 4, "the tag 'tag:yaml.org,2002:int' is not supported")]
    [InlineData("a: !secret x\n", 1, 4, "the tag '!secret' is not supported")]
    [InlineData("? [a, b]\n: c\n", 1, 3, "a key must be a scalar (a name), not a sequence")]
    [InlineData("a: *nowhere\n", 1, 4, "the alias *nowhere names no anchor defined before it")]
    [InlineData("a: 1\n---\nb: 2\n", 2, 1, "the file holds a second YAML document (a '---' line starts one)")]
    [InlineData("a: [1, 2\nb: 3\n", 1, 5, "invalid YAML: the text cannot be read past this point")]
    [InlineData("a:\n  - [y\n", 3, 1, "invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'")]
    [InlineData("a: 'unterminated\n", 1, 4, "invalid YAML: While scanning a quoted scalar, found unexpected end of stream")]
    [InlineData("a: 1\n b: 2\n", 2, 3, "invalid YAML: While scanning a plain scalar value, found invalid mapping")]
    public void AMalformedTextIsAnErrorAtItsPosition(string text, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void EveryRefusedConstructIsReported()
    {
        var e = Assert.Throws<ConfigFormatException>(() => Parse("a: !x 1\nb: 2\nb: 3\nc: *none\n"));
        Assert.Equal([(1, 4), (3, 1), (4, 4)], e.Errors.Select(x => (x.Line, x.Column)));
    }

    [Fact]
    public void ExcessiveAliasingIsRefused()
    {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 1; i <= 7; i++)
        {
            text += $"a{i}: &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10)) + "]\n";
        }
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Contains("more than 1000000 keys", error.Message);
    }

    [Fact]
    public void DeepNestingIsALocatedError()
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse("a: " + new string('[', 1000) + new string(']', 1000) + "\n")).Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("levels deep", error.Message);
    }

    [Fact]
    public void ExportWritesTypedValuesPlainAndQuotesTextThatWouldReadAsAnotherType()
    {
        var text = Write(
            Json("port", "8080"),
            Json("debug", "true"),
            Json("missing", "null"),
            Json("none", "{}"),
            Json("nothing", "[]"),
            new("portText", "8080"),
            new("debugText", "true"),
            new("nullText", "null"),
            new("tilde", "~"),
            new("empty", ""),
            new("padded", " x"),
            new("colon", "a: b"),
            new("hash", "#x"),
            new("merge", "<<"),
            new("plain", "hello world"),
            new("url", "http://host:80/a#b"),
            new("multi", "first\nsecond\n"),
            new("tabbed", "a\tb"),
            new("servers:0", "a"),
            new("servers:1:host", "b"));
        Assert.Equal(
            $$"""
            colon: 'a: b'
            debug: true
            debugText: 'true'
            empty: ''
            hash: '#x'
            merge: '<<'
            missing: null
            multi: |
              first
              second
            none: {}
            nothing: []
            nullText: 'null'
            padded: ' x'
            plain: hello world
            port: 8080
            portText: '8080'
            servers:
              - a
              - host: b
            tabbed: "a{{"\t"}}b"
            tilde: '~'
            url: http://host:80/a#b

            """,
            text);
    }

    [Fact]
    public void ExportOfNothingIsAnEmptyMapping() => Assert.Equal("{}\n", Write());

    [Fact]
    public void AKeyThatIsBothAValueAndAParentIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new("a", "x"), new("a:b", "y")));
        Assert.Contains("'a' has a value and is also the parent of 'a:b'", e.Message);
    }

    [Fact]
    public void ExportedKeysThatLookLikeOtherTypesReadBackAsTheSameKeys()
    {
        ConfigEntry[] entries = [new("8080", "a"), new("true", "b"), new("~", "c"), new("<<", "d"), new("a b:#c", "e"), new("multi\nline", "f"), new(" x", "g")];
        Assert.Equal(entries.OrderBy(e => e.Key, StringComparer.Ordinal), Parse(Write(entries)).OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}

using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class JsonFormatTests
{
    private static IReadOnlyList<ConfigEntry> Parse(string text) => ConfigFormats.Parse(ConfigFormat.Json, text);

    private static string Write(params ConfigEntry[] entries) => ConfigFormats.Write(ConfigFormat.Json, entries);

    private static ConfigEntry Json(string key, string value) => new(key, value, ConfigEntry.Json);

    [Fact]
    public void NestingFlattensToColonPathsAndArraysToIndices()
    {
        var text = """
            {
              "Logging": { "LogLevel": { "Default": "Information", "Microsoft": "Warning" } },
              "servers": ["a", { "host": "b", "port": 8080 }],
              "enabled": true,
              "disabled": false,
              "missing": null,
              "ratio": 1.50,
              "big": 1E400,
              "none": {},
              "nothing": [],
              "text": "8080"
            }
            """;
        Assert.Equal(
            [
                new("Logging:LogLevel:Default", "Information"),
                new("Logging:LogLevel:Microsoft", "Warning"),
                new("servers:0", "a"),
                new("servers:1:host", "b"),
                Json("servers:1:port", "8080"),
                Json("enabled", "true"),
                Json("disabled", "false"),
                Json("missing", "null"),
                Json("ratio", "1.50"),
                Json("big", "1E400"),
                Json("none", "{}"),
                Json("nothing", "[]"),
                new("text", "8080"),
            ],
            Parse(text));
    }

    [Fact]
    public void TheFlaskSettingsAsJson()
    {
        Assert.Equal(
            [new("SECRET_KEY", "'supersecretkey'"), Json("flask:DEBUG", "true"), Json("flask:TESTING", "false")],
            Parse("{\"SECRET_KEY\": \"'supersecretkey'\", \"flask\": {\"DEBUG\": true, \"TESTING\": false}}"));
    }

    [Fact]
    public void EscapesAreExpandedAndAColonInANameSeparatesParts()
    {
        Assert.Equal(
            [new("a:b", "line\n\"quoted\" \\ \u00e9 \U0001F600"), new("c:d:e", " padded ")],
            Parse("{\"a:b\": \"line\\n\\\"quoted\\\" \\\\ \\u00e9 \\ud83d\\ude00\", \"c\": {\"d:e\": \" padded \"}}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t\r\n")]
    [InlineData("{}")]
    [InlineData("\uFEFF{ }\n")]
    public void EmptyIsNoEntries(string text) => Assert.Empty(Parse(text));

    [Theory]
    [InlineData("[1, 2]", 1, 1, "the top level of the file is an array, not an object")]
    [InlineData("\n  \"text\"", 2, 3, "the top level of the file is a string, not an object")]
    [InlineData("{\n  \"a\": 1,\n  \"a\": 2\n}", 3, 3, "the name \"a\" is repeated in this object: on line 2 and on line 3")]
    [InlineData("{\"a:b\": 1,\n \"a\": {\"b\": 2}}", 2, 8, "the key 'a:b' is defined twice: on line 1 and on line 2")]
    [InlineData("{\n  \"a\": 1,\n}", 2, 9, "invalid JSON: a trailing comma: JSON allows no ',' after the last member of an object or array")]
    [InlineData("{\"a\": [1, 2,]}", 1, 12, "invalid JSON: a trailing comma: JSON allows no ',' after the last member of an object or array")]
    [InlineData("{\n  // note\n  \"a\": 1\n}", 2, 3, "invalid JSON: a comment: JSON has no comments")]
    [InlineData("{\"a\": 1 /* note */}", 1, 9, "invalid JSON: a comment: JSON has no comments")]
    [InlineData("{\"a\": {\"b\": 1}", 1, 15, "invalid JSON: the text ends inside an object or array")]
    [InlineData("{\"\u00e9\u00e9\": x}", 1, 8, "invalid JSON: 'x' is an invalid start of a value")]
    [InlineData("{\"a\": 1} {}", 1, 10, "invalid JSON: '{' is invalid after a single JSON value. Expected end of data")]
    [InlineData("{\"\": 1}", 1, 2, "empty key: a config key needs a name")]
    public void AMalformedTextIsAnErrorAtItsPosition(string text, int line, int column, string message)
    {
        var error = Assert.Single(Assert.Throws<ConfigFormatException>(() => Parse(text)).Errors);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void EveryDuplicateIsReportedAndASyntaxErrorLast()
    {
        var e = Assert.Throws<ConfigFormatException>(() => Parse("{\"a\": 1, \"a\": 2,\n \"b\": {\"c\": 1, \"c\": 2},\n \"d\": ]"));
        Assert.Equal([(1, 10), (2, 16), (3, 7)], e.Errors.Select(x => (x.Line, x.Column)));
        Assert.Equal("1:10: the name \"a\" is repeated in this object: on line 1 and on line 1", e.Message);
    }

    [Fact]
    public void ExportNestsIndentsAndRebuildsArrays()
    {
        var text = Write(
            new("Logging:LogLevel:Default", "Information"),
            new("servers:1", "b"),
            new("servers:0", "a"),
            new("sparse:0", "x"),
            new("sparse:2", "y"),
            new("padded:00", "z"),
            Json("port", "8080"),
            Json("enabled", "true"),
            Json("none", "{}"),
            Json("nothing", "[]"),
            new("text", "8080"),
            new("unicode", "\u00e9t\u00e9 <b> & \"q\""));
        Assert.Equal(
            """
            {
              "Logging": {
                "LogLevel": {
                  "Default": "Information"
                }
              },
              "enabled": true,
              "none": {},
              "nothing": [],
              "padded": {
                "00": "z"
              },
              "port": 8080,
              "servers": [
                "a",
                "b"
              ],
              "sparse": {
                "0": "x",
                "2": "y"
              },
              "text": "8080",
              "unicode": "été <b> & \"q\""
            }

            """,
            text);
    }

    [Fact]
    public void ArrayItemsAreInIndexOrderNotTextOrder()
    {
        var entries = Enumerable.Range(0, 12).Select(i => new ConfigEntry($"list:{i}", $"v{i}")).ToArray();
        Assert.Equal(entries, Parse(Write(entries)));
    }

    [Fact]
    public void ExportOfNothingIsAnEmptyObject() => Assert.Equal("{}\n", Write());

    [Fact]
    public void AKeyThatIsBothAValueAndAParentIsRefusedNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => Write(new("a", "x"), new("a:b", "y")));
        Assert.Contains("'a' has a value and is also the parent of 'a:b'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Write(new("a:b:c", "y"), Json("a:b", "{}")));
        Assert.Contains("'a:b' has a value and is also the parent of 'a:b:c'", e.Message);
    }

    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("\"text\"")]
    [InlineData(" 1")]
    [InlineData("01")]
    [InlineData("True")]
    [InlineData("{ }")]
    [InlineData("NaN")]
    public void AJsonValueOtherThanTheTypedScalarsIsRefused(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => Write(Json("k", value)));
        Assert.Contains("'k'", e.Message);
    }
}

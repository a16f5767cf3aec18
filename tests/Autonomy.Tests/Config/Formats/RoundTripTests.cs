using System.Text;
using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

/// <summary>What every format promises: <c>Parse(Write(entries))</c> gives the entries back, and export is stable.</summary>
public class RoundTripTests
{
    // Text every format holds exactly.
    private static readonly string[] EveryFormat =
    [
        "", "plain", "two words", "a=b", "a:b", "a: b", "#hash", "x # y", "x ; y", "!bang", "'single'", "\"double\"", "it's",
        @"back\slash\", "\u00e9t\u00e9 \u2713 \U0001F600 \u4e2d\u6587", "8080", "-1.5e3", "true", "null", "~", "$HOME ${X}",
        "first\nsecond", "first\n\nthird", "\nstarts with a break", "{}", "[]", "- item", "key: value", "[section]",
        "%(x)s 100%", "<<", "*alias", "&anchor", "|", ">", "@", "`", "a,b", "0x1F", ".inf", "yes",
    ];

    // Text every format but INI holds: configparser strips whitespace from each line and has no escapes.
    private static readonly string[] AllButIni =
    [
        "  both ends  ", " leading", "trailing ", "ends with a break\n", "\n", "\n\n", "\ttab", "cr\r\nlf", "\r", "line\n  indented",
        "a\n#comment-like", "a\n;comment-like", "\u00a0nbsp\u00a0", "\u0001\u007f\u0085", "a\u2028b", "\uFEFFbom",
    ];

    private static readonly ConfigEntry[] Typed =
    [
        new("typed:int", "8080", ConfigEntry.Json),
        new("typed:negative", "-1.5e3", ConfigEntry.Json),
        new("typed:decimal", "1.50", ConfigEntry.Json),
        new("typed:true", "true", ConfigEntry.Json),
        new("typed:false", "false", ConfigEntry.Json),
        new("typed:null", "null", ConfigEntry.Json),
        new("typed:object", "{}", ConfigEntry.Json),
        new("typed:array", "[]", ConfigEntry.Json),
    ];

    public static TheoryData<ConfigFormat> Formats => [.. Enum.GetValues<ConfigFormat>()];

    private static IEnumerable<ConfigEntry> Sorted(IEnumerable<ConfigEntry> entries) => entries.OrderBy(e => e.Key, StringComparer.Ordinal);

    private static IReadOnlyList<ConfigEntry> RoundTrip(ConfigFormat format, IEnumerable<ConfigEntry> entries) =>
        ConfigFormats.Parse(format, ConfigFormats.Write(format, entries));

    [Theory]
    [MemberData(nameof(Formats))]
    public void TextRoundTripsExactly(ConfigFormat format)
    {
        var values = format == ConfigFormat.Ini ? EveryFormat : [.. EveryFormat, .. AllButIni];
        var entries = values.Select((value, i) => new ConfigEntry($"section{i % 3}:key{i:D2}", value)).ToList();
        Assert.Equal(Sorted(entries), Sorted(RoundTrip(format, entries)));
    }

    [Theory]
    [InlineData(ConfigFormat.Json)]
    [InlineData(ConfigFormat.Yaml)]
    public void TypedValuesKeepTheirTypeInJsonAndYaml(ConfigFormat format)
    {
        ConfigEntry[] entries = [.. Typed, new("text:int", "8080"), new("text:true", "true"), new("text:null", "null"), new("text:object", "{}")];
        Assert.Equal(Sorted(entries), Sorted(RoundTrip(format, entries)));
    }

    [Theory]
    [InlineData(ConfigFormat.Ini)]
    [InlineData(ConfigFormat.DotEnv)]
    [InlineData(ConfigFormat.Properties)]
    public void TypedValuesKeepTheirTextInTextFormats(ConfigFormat format)
    {
        Assert.Equal(Sorted(Typed.Select(e => e with { ContentType = ConfigEntry.PlainText })), Sorted(RoundTrip(format, Typed)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void KeysRoundTripExactly(ConfigFormat format)
    {
        string[] keys = format switch
        {
            ConfigFormat.DotEnv => ["A", "_a", "Logging:LogLevel:Default", "a:_b", "x1:y2:z3"],
            ConfigFormat.Ini => ["top", "section:key", "a:b:c", "two words:key with spaces", "\u00e9t\u00e9:\u00fcn\u00efc\u00f8d\u00e9", "s]:k#;!"],
            ConfigFormat.Properties => ["top", "a:b:c", " lead", "key with spaces", "=:#!", "\u00e9t\u00e9", "tab\tnew\nline", @"back\slash"],
            _ => ["top", "a:b:c", " lead", "key with spaces", "=#!", "\u00e9t\u00e9", "tab\tnew\nline", @"back\slash", "8080", "true", "~", "<<", "list:0", "list:1", "x.y"],
        };
        var entries = keys.Select(key => new ConfigEntry(key, "v")).ToList();
        Assert.Equal(Sorted(entries), Sorted(RoundTrip(format, entries)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void RandomTextRoundTripsExactly(ConfigFormat format)
    {
        string[] alphabet =
        [
            "a", "Z", "0", "7", ".", " ", "  ", "\t", "\n", "\r", "\r\n", "=", ":", "#", "!", ";", "'", "\"", "\\", "$", "{", "}", "[", "]",
            "-", "?", "&", "*", "%", "@", "`", "|", ">", ",", "u", "\\u", "\u00e9", "\U0001F600", "\u2028", "\u0085", "\u00a0", "\u0001",
            "\u007f", "\uFEFF", "true", "null", "~", "<<", "e5",
        ];
        var random = new Random(20240611 + (int)format);
        var entries = new List<ConfigEntry>();
        for (var i = 0; i < 400; i++)
        {
            var value = new StringBuilder();
            var parts = random.Next(0, 8);
            for (var p = 0; p < parts; p++)
            {
                value.Append(alphabet[random.Next(alphabet.Length)]);
            }
            var entry = new ConfigEntry($"s{i % 7}:k{i:D3}", value.ToString());
            if (format == ConfigFormat.Ini && !IniCanWrite(entry))
            {
                continue;
            }
            entries.Add(entry);
        }
        Assert.True(entries.Count > 100, $"only {entries.Count} values to try");
        var read = RoundTrip(format, entries).ToDictionary(e => e.Key);
        foreach (var entry in entries)
        {
            Assert.True(read.TryGetValue(entry.Key, out var back) && back == entry, $"{Show(entry.Value)} came back as {Show(back?.Value)}");
        }
        Assert.Equal(entries.Count, read.Count);
    }

    [Theory]
    [InlineData(ConfigFormat.Ini, "[DEFAULT]\nSECRET_KEY ='supersecretkey'\n\n[flask]\nDEBUG = True\nTESTING = False\nJSONIFY_PRETTYPRINT_REGULAR = True\nnote = a\n  b\n\n  c\n")]
    [InlineData(ConfigFormat.Json, "{\"b\": [1, {\"x\": \"y\"}], \"a\": {\"z\": null, \"e\": {}}, \"c\": \"\\u00e9\\n\"}")]
    [InlineData(ConfigFormat.Yaml, "b:\n- 1\n- {x: y}\na: {z: ~, e: {}}\nc: \"\\u00e9\\n\"\nd: |\n  literal\n  text\n")]
    [InlineData(ConfigFormat.DotEnv, "export B=1\nA=\"two\\nlines\" # note\nC='$x'\nD=  x  \nLogging__Level=Debug\n")]
    [InlineData(ConfigFormat.Properties, "b=1\na.x : two \\\n   lines\nc \\u00e9\\t\n# note\nd=\n")]
    public void ExportOfAnImportIsStable(ConfigFormat format, string text)
    {
        var first = ConfigFormats.Write(format, ConfigFormats.Parse(format, text));
        Assert.Equal(first, ConfigFormats.Write(format, ConfigFormats.Parse(format, first)));
    }

    [Fact]
    public void JsonThroughYamlGivesTheSameEntries()
    {
        var json = """
            {
              "Logging": { "LogLevel": { "Default": "Information" } },
              "servers": [ { "host": "a", "port": 8080 }, { "host": "b", "port": 8081 } ],
              "flags": { "on": true, "off": false, "unset": null, "text": "true", "number": "8080" },
              "empty": { "object": {}, "array": [], "string": "" },
              "text": { "padded": " x ", "multi": "a\nb\n", "colon": "a: b", "hash": "#x", "unicode": "\u00e9 \ud83d\ude00" }
            }
            """;
        var entries = ConfigFormats.Parse(ConfigFormat.Json, json);
        var throughYaml = ConfigFormats.Parse(ConfigFormat.Yaml, ConfigFormats.Write(ConfigFormat.Yaml, entries));
        Assert.Equal(Sorted(entries), Sorted(throughYaml));
        var backToJson = ConfigFormats.Parse(ConfigFormat.Json, ConfigFormats.Write(ConfigFormat.Json, throughYaml));
        Assert.Equal(Sorted(entries), Sorted(backToJson));
    }

    [Fact]
    public void YamlThroughJsonGivesTheSameEntries()
    {
        var yaml = "port: 8080\nratio: 1.5\nhex: 0x10\nflag: True\nnothing:\nlist: [a, 2, ~]\nquoted: '8080'\n";
        var entries = ConfigFormats.Parse(ConfigFormat.Yaml, yaml);
        Assert.Equal(Sorted(entries), Sorted(ConfigFormats.Parse(ConfigFormat.Json, ConfigFormats.Write(ConfigFormat.Json, entries))));
    }

    private static bool IniCanWrite(ConfigEntry entry)
    {
        try
        {
            ConfigFormats.Write(ConfigFormat.Ini, [entry]);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Show(string? text) => text is null ? "nothing" : "\"" + string.Concat(text.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}")) + "\"";
}

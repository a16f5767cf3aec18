using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

public class ConfigFormatsTests
{
    public static TheoryData<ConfigFormat> Formats => [.. Enum.GetValues<ConfigFormat>()];

    [Theory]
    [InlineData("ini", ConfigFormat.Ini)]
    [InlineData("JSON", ConfigFormat.Json)]
    [InlineData("yaml", ConfigFormat.Yaml)]
    [InlineData("Yml", ConfigFormat.Yaml)]
    [InlineData("env", ConfigFormat.DotEnv)]
    [InlineData("DotEnv", ConfigFormat.DotEnv)]
    [InlineData("properties", ConfigFormat.Properties)]
    public void NamesAreReadInAnyCase(string name, ConfigFormat expected)
    {
        Assert.True(ConfigFormats.TryParseName(name, out var format));
        Assert.Equal(expected, format);
    }

    [Theory]
    [InlineData("")]
    [InlineData("toml")]
    [InlineData(".json")]
    [InlineData("cfg")]
    public void OtherNamesAreNotFormats(string name) => Assert.False(ConfigFormats.TryParseName(name, out _));

    [Theory]
    [InlineData("flask.cfg", ConfigFormat.Ini)]
    [InlineData("/etc/app/settings.INI", ConfigFormat.Ini)]
    [InlineData("nginx.conf", ConfigFormat.Ini)]
    [InlineData("appsettings.json", ConfigFormat.Json)]
    [InlineData("config.yaml", ConfigFormat.Yaml)]
    [InlineData("config.yml", ConfigFormat.Yaml)]
    [InlineData("prod.env", ConfigFormat.DotEnv)]
    [InlineData(".env", ConfigFormat.DotEnv)]
    [InlineData("/srv/app/.env", ConfigFormat.DotEnv)]
    [InlineData(".env.production", ConfigFormat.DotEnv)]
    [InlineData("application.properties", ConfigFormat.Properties)]
    public void TheFormatOfAFileIsItsExtension(string path, ConfigFormat expected) => Assert.Equal(expected, ConfigFormats.FromFileName(path));

    [Theory]
    [InlineData("README.md")]
    [InlineData("Makefile")]
    [InlineData("env")]
    [InlineData("archive.json.gz")]
    public void OtherFilesHaveNoFormat(string path) => Assert.Null(ConfigFormats.FromFileName(path));

    [Theory]
    [MemberData(nameof(Formats))]
    public void TheExtensionOfAFormatNamesItBack(ConfigFormat format)
    {
        var extension = ConfigFormats.FileExtension(format);
        Assert.StartsWith(".", extension);
        Assert.Equal(format, ConfigFormats.FromFileName("file" + extension));
        Assert.True(ConfigFormats.TryParseName(extension[1..], out var named));
        Assert.Equal(format, named);
    }

    [Fact]
    public void TheExceptionMessageIsTheFirstErrorAndItListsThemAll()
    {
        var e = Assert.Throws<ConfigFormatException>(() => ConfigFormats.Parse(ConfigFormat.DotEnv, "A=1\nbad line\n\nB-C=2\n"));
        Assert.Equal("2:1: 'bad line' has no '=': a line must be KEY=VALUE, a comment (#) or blank", e.Message);
        Assert.Equal(2, e.Errors.Count);
        Assert.Equal(new FormatError(4, 2, "'B-C' is not a valid variable name: it must start with a letter or '_' and hold only letters, digits and '_'",
            "use '__' to separate the parts of a key, as in Logging__LogLevel__Default"), e.Errors[1]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ExportIsInOrdinalKeyOrderWhateverTheInputOrder(ConfigFormat format)
    {
        ConfigEntry[] entries = [new("b:y", "2"), new("a:x", "1"), new("B:z", "3"), new("c", "4")];
        Assert.Equal(ConfigFormats.Write(format, entries), ConfigFormats.Write(format, entries.Reverse()));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ExportRefusesDuplicateAndEmptyKeysAndBrokenText(ConfigFormat format)
    {
        Assert.Contains("'a' is given twice", Assert.Throws<ArgumentException>(() => ConfigFormats.Write(format, [new("a", "1"), new("a", "2")])).Message);
        Assert.Contains("empty key", Assert.Throws<ArgumentException>(() => ConfigFormats.Write(format, [new("", "1")])).Message);
        Assert.Contains("'a' cannot be exported", Assert.Throws<ArgumentException>(() => ConfigFormats.Write(format, [new("a", "x\ud800")])).Message);
        Assert.Throws<ArgumentException>(() => ConfigFormats.Write(format, [null!]));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void NullTextIsRefused(ConfigFormat format) => Assert.Throws<ArgumentNullException>(() => ConfigFormats.Parse(format, null!));

    [Theory]
    [MemberData(nameof(Formats))]
    public void EmptyTextIsNoEntries(ConfigFormat format)
    {
        Assert.Empty(ConfigFormats.Parse(format, ""));
        Assert.Empty(ConfigFormats.Parse(format, "\uFEFF"));
        Assert.Empty(ConfigFormats.Parse(format, ConfigFormats.Write(format, [])));
    }
}

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Imports a file into the entries of a config namespace and exports entries back to a file, in any
/// <see cref="ConfigFormat"/>.
/// </summary>
/// <remarks>
/// Every value is kept exactly, wherever a format can express it: <c>Parse(Write(entries))</c> gives the entries back.
/// INI, .env and .properties hold text only, so a <see cref="ConfigEntry.Json"/> value exported to them is read back as
/// <see cref="ConfigEntry.PlainText"/> with the same text. What a format cannot express is refused on export with an
/// <see cref="ArgumentException"/> naming the key; each format's class documents what that is.
/// </remarks>
public static class ConfigFormats
{
    /// <summary>Reads <paramref name="text"/>, the content of a file in <paramref name="format"/>.</summary>
    /// <returns>The entries in the order the file defines them; none for an empty text.</returns>
    /// <exception cref="ConfigFormatException">The text is malformed: every error found is listed, and nothing is returned.</exception>
    public static IReadOnlyList<ConfigEntry> Parse(ConfigFormat format, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var source = new SourceText(text);
        return format switch
        {
            ConfigFormat.Ini => IniFormat.Parse(source),
            ConfigFormat.Json => JsonFormat.Parse(source),
            ConfigFormat.Yaml => YamlFormat.Parse(source),
            ConfigFormat.DotEnv => DotEnvFormat.Parse(source),
            ConfigFormat.Properties => PropertiesFormat.Parse(source),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown config format"),
        };
    }

    /// <summary>Writes <paramref name="entries"/> as a file in <paramref name="format"/>, keys in ordinal order.</summary>
    /// <returns>The file's text: lines end with <c>\n</c>, and the text with one unless it is empty.</returns>
    /// <exception cref="ArgumentException">
    /// A key is empty or given twice, a text is not valid UTF-16, or the format cannot express a key or a value exactly.
    /// </exception>
    public static string Write(ConfigFormat format, IEnumerable<ConfigEntry> entries)
    {
        var sorted = ExportEntries.Sorted(entries);
        return format switch
        {
            ConfigFormat.Ini => IniFormat.Write(sorted),
            ConfigFormat.Json => JsonFormat.Write(sorted),
            ConfigFormat.Yaml => YamlFormat.Write(sorted),
            ConfigFormat.DotEnv => DotEnvFormat.Write(sorted),
            ConfigFormat.Properties => PropertiesFormat.Write(sorted),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown config format"),
        };
    }

    /// <summary>
    /// Reads a format's name as a user types it: <c>ini</c>, <c>json</c>, <c>yaml</c> or <c>yml</c>, <c>env</c> or
    /// <c>dotenv</c>, <c>properties</c>, in any case.
    /// </summary>
    public static bool TryParseName(string name, out ConfigFormat format)
    {
        ArgumentNullException.ThrowIfNull(name);
        ConfigFormat? found = name.ToLowerInvariant() switch
        {
            "ini" => ConfigFormat.Ini,
            "json" => ConfigFormat.Json,
            "yaml" or "yml" => ConfigFormat.Yaml,
            "env" or "dotenv" => ConfigFormat.DotEnv,
            "properties" => ConfigFormat.Properties,
            _ => null,
        };
        format = found.GetValueOrDefault();
        return found.HasValue;
    }

    /// <summary>
    /// The format of a file by its name: <c>.ini</c>, <c>.cfg</c> and <c>.conf</c> are INI, <c>.json</c> JSON,
    /// <c>.yaml</c> and <c>.yml</c> YAML, <c>.properties</c> Java properties, and <c>.env</c>, a file named <c>.env</c>
    /// and one named <c>.env.</c><i>anything</i> (<c>.env.local</c>, <c>.env.production</c>) .env; the case of the
    /// name does not matter. Null for any other name.
    /// </summary>
    public static ConfigFormat? FromFileName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name == ".env" || name.StartsWith(".env.", StringComparison.Ordinal))
        {
            return ConfigFormat.DotEnv;
        }
        return Path.GetExtension(name) switch
        {
            ".ini" or ".cfg" or ".conf" => ConfigFormat.Ini,
            ".json" => ConfigFormat.Json,
            ".yaml" or ".yml" => ConfigFormat.Yaml,
            ".env" => ConfigFormat.DotEnv,
            ".properties" => ConfigFormat.Properties,
            _ => null,
        };
    }

    /// <summary>The usual extension of a file in <paramref name="format"/>, with its dot: <c>.ini</c>, <c>.json</c>, <c>.yaml</c>, <c>.env</c>, <c>.properties</c>.</summary>
    public static string FileExtension(ConfigFormat format) => format switch
    {
        ConfigFormat.Ini => ".ini",
        ConfigFormat.Json => ".json",
        ConfigFormat.Yaml => ".yaml",
        ConfigFormat.DotEnv => ".env",
        ConfigFormat.Properties => ".properties",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown config format"),
    };
}

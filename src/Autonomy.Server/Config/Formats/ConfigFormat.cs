namespace Autonomy.Server.Config.Formats;

/// <summary>A file format a config namespace can be imported from and exported to.</summary>
public enum ConfigFormat
{
    /// <summary>INI as Python's <c>configparser</c> reads it: <c>[section]</c> headers and <c>key = value</c> lines.</summary>
    Ini,

    /// <summary>A JSON object, nested as .NET's JSON configuration provider reads it.</summary>
    Json,

    /// <summary>A YAML mapping, read by the YAML 1.2 core schema.</summary>
    Yaml,

    /// <summary>A <c>.env</c> file of <c>KEY=VALUE</c> lines, <c>__</c> separating the parts of a key.</summary>
    DotEnv,

    /// <summary>A Java <c>.properties</c> file, <c>.</c> separating the parts of a key.</summary>
    Properties,
}

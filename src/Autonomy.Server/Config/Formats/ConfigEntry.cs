namespace Autonomy.Server.Config.Formats;

/// <summary>
/// One key of a config namespace and its value. Keys are <c>:</c>-separated paths, as in .NET configuration
/// (<c>Logging:LogLevel:Default</c>).
/// </summary>
/// <param name="Key">The path of the value; compared ordinally.</param>
/// <param name="Value">The value's text, exactly as it is to be read back.</param>
/// <param name="ContentType">
/// <see cref="PlainText"/>, or <see cref="Json"/> for a JSON/YAML number, <c>true</c>, <c>false</c>, <c>null</c> or an
/// empty <c>{}</c> / <c>[]</c>, kept as its JSON text so that an export to JSON or YAML writes it back with its type.
/// </param>
public sealed record ConfigEntry(string Key, string Value, string ContentType = ConfigEntry.PlainText)
{
    /// <summary>The content type of a value that is text.</summary>
    public const string PlainText = "text/plain";

    /// <summary>The content type of a value that is JSON text (a number, a boolean, null, or an empty object or array).</summary>
    public const string Json = "application/json";

    // Any content type other than JSON is text: the formats write it as a string.
    internal bool IsJson => string.Equals(ContentType, Json, StringComparison.Ordinal);
}

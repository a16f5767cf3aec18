using System.Diagnostics;
using System.Text.Json;
using Autonomy.Server.Config.Formats;

namespace Autonomy.Tests.Config.Formats;

/// <summary>
/// The programs the formats must agree with: Python's configparser for INI and Java's Properties for .properties,
/// run on real files. Both programs are required: a missing one fails the test.
/// </summary>
internal static class Peers
{
    // Reads each INI file with configparser's defaults but raw values (no interpolation) and, after "keep", keys in
    // their case. default_section is a name no file uses, so that [DEFAULT] is listed as a section, not inherited.
    private const string ConfigParserScript = """
        import configparser, json, sys
        out = []
        for path in sys.argv[2:]:
            parser = configparser.ConfigParser(interpolation=None, default_section="\x00")
            if sys.argv[1] == "keep":
                parser.optionxform = str
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error as e:
                out.append({"error": type(e).__name__})
                continue
            entries = []
            for section in parser.sections():
                for key, value in parser.items(section, raw=True):
                    entries.append([key if section == "DEFAULT" else section + ":" + key, value])
            out.append({"entries": entries})
        print(json.dumps(out))
        """;

    // Loads each file with Properties.load, from an InputStream (ISO-8859-1) or, after "utf8:", a UTF-8 Reader, and
    // prints the keys and values with every character outside printable ASCII escaped, so the output's encoding is moot.
    private const string PropertiesProgram = """
        import java.io.*;
        import java.nio.charset.StandardCharsets;
        import java.nio.file.*;
        import java.util.*;

        public class LoadProperties {
            public static void main(String[] args) throws IOException {
                StringBuilder out = new StringBuilder("[");
                for (String arg : args) {
                    boolean utf8 = arg.startsWith("utf8:");
                    Path path = Paths.get(utf8 ? arg.substring(5) : arg);
                    Properties properties = new Properties();
                    if (utf8) {
                        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) { properties.load(in); }
                    } else {
                        try (InputStream in = Files.newInputStream(path)) { properties.load(in); }
                    }
                    if (out.length() > 1) out.append(',');
                    out.append('{');
                    boolean first = true;
                    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
                        if (!first) out.append(',');
                        first = false;
                        quote(out, key);
                        out.append(':');
                        quote(out, properties.getProperty(key));
                    }
                    out.append('}');
                }
                System.out.println(out.append(']'));
            }

            static void quote(StringBuilder out, String s) {
                out.append('"');
                for (char c : s.toCharArray()) {
                    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
                out.append('"');
            }
        }
        """;

    /// <summary>
    /// What configparser reads from each INI text: its entries, or the name of the error it raised. Unless
    /// <paramref name="keepCase"/> is false, keys keep their case, as the import keeps them.
    /// </summary>
    public static IReadOnlyList<(IReadOnlyList<ConfigEntry>? Entries, string? Error)> ReadIni(string[] texts, bool keepCase = true)
    {
        using var directory = new TempDirectory();
        var paths = texts.Select((text, i) => directory.Write($"{i}.ini", text)).ToArray();
        using var output = JsonDocument.Parse(Run("python3", ["-c", ConfigParserScript, keepCase ? "keep" : "lower", .. paths]));
        return [.. output.RootElement.EnumerateArray().Select(file => file.TryGetProperty("error", out var error)
            ? ((IReadOnlyList<ConfigEntry>?)null, error.GetString())
            : ([.. file.GetProperty("entries").EnumerateArray().Select(e => new ConfigEntry(e[0].GetString()!, e[1].GetString()!))], null))];
    }

    /// <summary>What Properties.load reads from each text, keys as Java has them (with '.').</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> LoadProperties(bool utf8, params string[] texts)
    {
        using var directory = new TempDirectory();
        var program = directory.Write("LoadProperties.java", PropertiesProgram);
        var paths = texts.Select((text, i) => (utf8 ? "utf8:" : "") + directory.Write($"{i}.properties", text)).ToArray();
        var output = Run("java", [program, .. paths]);
        return JsonSerializer.Deserialize<List<Dictionary<string, string>>>(output)!;
    }

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' must be on PATH for this test: {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} did not finish");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} failed with exit code {process.ExitCode}: {stderr.Result}");
            }
            return stdout.Result;
        }
    }

    private sealed class TempDirectory : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("autonomy-formats-").FullName;

        public string Write(string name, string text)
        {
            var path = Path.Combine(_path, name);
            // Bytes as given: no byte order mark, line breaks untouched.
            File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
            return path;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}

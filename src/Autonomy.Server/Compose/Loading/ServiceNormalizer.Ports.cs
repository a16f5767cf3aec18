using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ServiceNormalizer
{
    private static readonly HashSet<string> PortKeys = ["name", "target", "published", "host_ip", "protocol", "app_protocol", "mode"];

    /// <summary>Every form of <c>ports</c> as long entries: {mode, host_ip, target, published, protocol}; ranges expanded.</summary>
    private YamlNode? Ports(YamlNode value, string path)
    {
        if (value is not SequenceNode seq)
        {
            checks.Error(value, path, $"{path} must be a list, not {value.Describe()}", "write each port on its own line: '- \"8080:80\"'");
            return null;
        }
        var result = new SequenceNode(value.Location);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            var itemPath = $"{path}.{i}";
            switch (item)
            {
                case ScalarNode { Value: { } text }:
                    result.Items.AddRange(ShortPort(item, text, itemPath));
                    break;
                case MappingNode map:
                    if (LongPort(map, itemPath) is { } port)
                    {
                        result.Items.Add(port);
                    }
                    break;
                default:
                    checks.Error(item, itemPath, $"{itemPath} must be a port such as \"8080:80\" or a mapping with 'target', not {item.Describe()}");
                    break;
            }
        }
        return result;
    }

    private IEnumerable<YamlNode> ShortPort(YamlNode node, string text, string path)
    {
        var m = ShortPortPattern().Match(text.Trim());
        if (!m.Success)
        {
            checks.Error(node, path, $"{path} is {node.Describe()}, which is not a port mapping",
                "write CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, each a port or a range like 8000-8010, with an optional /tcp or /udp; quote it in YAML");
            return [];
        }
        var hostIp = m.Groups["ip"].Success ? m.Groups["ip"].Value.Trim('[', ']') : null;
        var protocol = m.Groups["proto"].Success ? m.Groups["proto"].Value : "tcp";
        var (targetStart, targetEnd) = Range(m.Groups["target"].Value);
        string? published = m.Groups["host"].Success && m.Groups["host"].Value.Length > 0 ? m.Groups["host"].Value : null;
        if (targetStart > targetEnd || targetEnd > 65535 || targetStart < 1)
        {
            checks.Error(node, path, $"{path} has the container port '{m.Groups["target"].Value}', which is not a port from 1 to 65535 (or a rising range of them)");
            return [];
        }
        var entries = new List<YamlNode>();
        if (published is not null && targetStart != targetEnd)
        {
            // A range on both sides pairs port for port, so both must be as long.
            var (hostStart, hostEnd) = Range(published);
            if (hostEnd - hostStart != targetEnd - targetStart)
            {
                checks.Error(node, path, $"{path} maps the range {published} onto {m.Groups["target"].Value}, which has another length", "make both ranges the same length");
                return [];
            }
            for (var p = targetStart; p <= targetEnd; p++)
            {
                entries.Add(Port(node.Location, hostIp, p, (hostStart + p - targetStart).ToString(System.Globalization.CultureInfo.InvariantCulture), protocol));
            }
            return entries;
        }
        for (var p = targetStart; p <= targetEnd; p++)
        {
            entries.Add(Port(node.Location, hostIp, p, published, protocol));
        }
        return entries;
    }

    private MappingNode? LongPort(MappingNode map, string path)
    {
        long? target = null;
        string? published = null, hostIp = null, protocol = null, mode = null, name = null, appProtocol = null;
        foreach (var (k, v) in map.Entries)
        {
            var itemPath = $"{path}.{k.Value}";
            switch (k.Value)
            {
                case "target":
                    target = checks.Integer(v, itemPath, min: 1);
                    break;
                case "published":
                    published = checks.Text(v, itemPath);
                    if (published is not null && !PortOrRange().IsMatch(published))
                    {
                        checks.Error(v, itemPath, $"{itemPath} is '{published}', which is not a port or a range of ports", "write e.g. 8080 or \"8080-8090\"");
                    }
                    break;
                case "host_ip":
                    hostIp = checks.Text(v, itemPath);
                    break;
                case "protocol":
                    protocol = checks.Text(v, itemPath);
                    break;
                case "mode":
                    mode = checks.Text(v, itemPath);
                    break;
                case "name":
                    name = checks.Text(v, itemPath);
                    break;
                case "app_protocol":
                    appProtocol = checks.Text(v, itemPath);
                    break;
                default:
                    if (!k.Value!.StartsWith("x-", StringComparison.Ordinal))
                    {
                        checks.Error(k, itemPath, $"{path} has an unknown key '{k.Value}'",
                            NameSuggestion.Closest(k.Value, PortKeys) is { } c ? $"did you mean '{c}'?" : $"a port takes {string.Join(", ", PortKeys)}");
                    }
                    break;
            }
        }
        if (target is null)
        {
            if (!map.ContainsKey("target"))
            {
                checks.Error(map, path, $"{path} has no 'target' (the port the service listens on)", "add 'target: <port>'");
            }
            return null;
        }
        var port = new MappingNode(map.Location);
        if (name is not null)
        {
            port.Set("name", ScalarNode.Text(name, map.Location));
        }
        var result = Port(map.Location, hostIp, target.Value, published, protocol ?? "tcp", mode ?? "ingress");
        foreach (var (k, v) in result.Entries)
        {
            port.Add(k, v);
        }
        if (appProtocol is not null)
        {
            port.Set("app_protocol", ScalarNode.Text(appProtocol, map.Location));
        }
        return port;
    }

    private static MappingNode Port(SourceLocation at, string? hostIp, long target, string? published, string protocol, string mode = "ingress")
    {
        var port = new MappingNode(at);
        port.Set("mode", ScalarNode.Text(mode, at));
        if (hostIp is not null)
        {
            port.Set("host_ip", ScalarNode.Text(hostIp, at));
        }
        port.Set("target", ScalarNode.Number(target, at));
        if (published is not null)
        {
            port.Set("published", ScalarNode.Text(published, at));
        }
        port.Set("protocol", ScalarNode.Text(protocol, at));
        return port;
    }

    private YamlNode? Expose(YamlNode value, string path)
    {
        if (checks.TextList(value, path) is not { } list)
        {
            return null;
        }
        foreach (var item in list.Where(i => !ExposePattern().IsMatch(i.Value!)))
        {
            checks.Error(item, path, $"{path} has '{item.Value}', which is not a port", "write a port or a range, e.g. 8080 or 8000-8010/udp");
        }
        return new SequenceNode(value.Location, list.Select(i => ScalarNode.Text(i.Value, i.Location)));
    }

    private static (int Start, int End) Range(string text)
    {
        var dash = text.IndexOf('-');
        return dash < 0 ? (int.Parse(text, System.Globalization.CultureInfo.InvariantCulture), int.Parse(text, System.Globalization.CultureInfo.InvariantCulture))
            : (int.Parse(text[..dash], System.Globalization.CultureInfo.InvariantCulture), int.Parse(text[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    // [IP:][HOST:]CONTAINER[/PROTOCOL], where IP may be [v6] and HOST may be empty ("127.0.0.1::80").
    [GeneratedRegex(@"^(?:(?:(?<ip>\[[0-9a-fA-F:]+\]|[0-9.]+):)?(?<host>[0-9]{1,5}(?:-[0-9]{1,5})?)?:)?(?<target>[0-9]{1,5}(?:-[0-9]{1,5})?)(?:/(?<proto>tcp|udp|sctp))?$")]
    private static partial Regex ShortPortPattern();

    [GeneratedRegex(@"^[0-9]{1,5}(-[0-9]{1,5})?$")]
    private static partial Regex PortOrRange();

    [GeneratedRegex(@"^[0-9]{1,5}(-[0-9]{1,5})?(/(tcp|udp|sctp))?$")]
    private static partial Regex ExposePattern();
}

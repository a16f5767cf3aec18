using System.Net;
using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// Where the gateway listens for its routes: the top-level <c>x-autonomy.gateway</c> (address and port), by default
/// 127.0.0.1:8080; port 0 means a free one.
/// </summary>
public sealed record GatewayEndpoint(IPAddress Address, int Port)
{
    public static GatewayEndpoint Default { get; } = new(IPAddress.Loopback, 8080);

    /// <summary>The project's gateway endpoint; <paramref name="problems"/> is told what is wrong (the default stands in).</summary>
    public static GatewayEndpoint Of(ComposeProject project, List<string>? problems = null)
    {
        if (project.Extensions.GetValueOrDefault("x-autonomy") is not JsonObject autonomy || autonomy["gateway"] is not { } node)
        {
            return Default;
        }
        if (node is not JsonObject gateway)
        {
            problems?.Add("x-autonomy.gateway is not a mapping\n  hint: write e.g. 'x-autonomy: {gateway: {port: 8080, address: 127.0.0.1}}'");
            return Default;
        }
        foreach (var key in gateway.Select(p => p.Key).Where(k => k is not "port" and not "address"))
        {
            problems?.Add($"x-autonomy.gateway.{key} is not a setting of the gateway\n  hint: it takes 'port' and 'address'");
        }
        var result = Default;
        if (gateway["port"] is { } portNode)
        {
            if (portNode is JsonValue && int.TryParse(portNode.ToJsonString().Trim('"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port <= 65535)
            {
                result = result with { Port = port };
            }
            else
            {
                problems?.Add($"x-autonomy.gateway.port is '{portNode.ToJsonString().Trim('"')}', which is not a port\n  hint: write a number from 1 to 65535, or 0 for a free one");
            }
        }
        if (gateway["address"] is { } addressNode)
        {
            if (addressNode is JsonValue a && a.TryGetValue<string>(out var text) && IPAddress.TryParse(text, out var address))
            {
                result = result with { Address = address };
            }
            else
            {
                problems?.Add($"x-autonomy.gateway.address is '{addressNode.ToJsonString().Trim('"')}', which is not an IP address\n  hint: write e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)");
            }
        }
        return result;
    }
}

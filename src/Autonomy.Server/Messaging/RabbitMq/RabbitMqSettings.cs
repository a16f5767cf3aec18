using System.Globalization;
using System.Text.Json.Nodes;
using Autonomy.Server.Compose.Model;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>
/// A RabbitMQ server of the user's, as the compose file's top-level
/// <c>x-autonomy.messaging: {amqp: amqp://ADMIN:PW@HOST:PORT, management: http://HOST:15672, prefix: …}</c> names it:
/// where services connect, where Autonomy provisions them (HTTP Basic with the same administrator), and an
/// optional prefix for the vhost and user names, so that two projects can share one server.
/// </summary>
public sealed record RabbitMqSettings(string AdminUser, string AdminPassword, string Host, int Port, Uri Management, string Prefix)
{
    public const string Section = "messaging";
    public const string AmqpKey = "amqp";
    public const string ManagementKey = "management";
    public const string PrefixKey = "prefix";
    public const string QueuesKey = "queues";
    public const int DefaultPort = 5672;

    /// <summary>The AMQP address without credentials, as errors name the backend.</summary>
    public string Backend => $"amqp://{HostForUrl}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The management URL, as errors name it (it never holds credentials).</summary>
    public string ManagementUrl => Management.GetLeftPart(UriPartial.Authority);

    private string HostForUrl => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    /// <summary>The vhost and user of <paramref name="service"/> on this server.</summary>
    public string NameOf(string service) => Prefix + service;

    /// <summary>What a service's replicas get: <c>amqp://USER:PW@HOST:PORT/VHOST</c>, the embedded broker's form.</summary>
    public string UrlFor(string service, string password) =>
        $"amqp://{Uri.EscapeDataString(NameOf(service))}:{Uri.EscapeDataString(password)}@{HostForUrl}:{Port.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(NameOf(service))}";

    /// <summary>The settings of a loaded project, or null when it uses the embedded broker (the loader checked them).</summary>
    public static RabbitMqSettings? Of(ComposeProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project.Extensions.GetValueOrDefault("x-autonomy") is not JsonObject autonomy || autonomy[Section] is not JsonObject messaging
            || messaging[AmqpKey] is not JsonValue amqp || !amqp.TryGetValue<string>(out var amqpText))
        {
            return null;
        }
        var management = messaging[ManagementKey] is JsonValue m && m.TryGetValue<string>(out var text) ? text : null;
        var prefix = messaging[PrefixKey] is JsonValue p && p.TryGetValue<string>(out var given) ? given : "";
        return TryParse(amqpText, management, prefix, out var settings, out var error)
            ? settings
            : throw new InvalidOperationException(error);
    }

    /// <summary>Reads the two URLs; <paramref name="error"/> says which is wrong and why, never quoting a password.</summary>
    public static bool TryParse(string amqp, string? management, string prefix, out RabbitMqSettings? settings, out string? error)
    {
        settings = null;
        if (!TryParseAmqp(amqp, out var user, out var password, out var host, out var port, out error))
        {
            return false;
        }
        if (management is null)
        {
            error = "x-autonomy.messaging needs management: the URL of RabbitMQ's management plugin (e.g. http://HOST:15672), through which Autonomy makes each service's vhost and user";
            return false;
        }
        if (!Uri.TryCreate(management, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            error = $"'{management}' is not an http:// or https:// URL of RabbitMQ's management plugin";
            return false;
        }
        if (uri.UserInfo.Length > 0)
        {
            error = "the management URL takes no credentials: Autonomy signs in with the administrator of the amqp URL";
            return false;
        }
        if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0)
        {
            error = $"the management URL is the server's address alone ({uri.GetLeftPart(UriPartial.Authority)}), without a path";
            return false;
        }
        settings = new RabbitMqSettings(user!, password!, host!, port, uri, prefix);
        return true;
    }

    /// <summary>What is wrong with the amqp URL, or null.</summary>
    public static string? AmqpError(string amqp) => TryParseAmqp(amqp, out _, out _, out _, out _, out var error) ? null : error;

    private static bool TryParseAmqp(string text, out string? user, out string? password, out string? host, out int port, out string? error)
    {
        (user, password, host, port, error) = (null, null, null, DefaultPort, null);
        if (!text.StartsWith("amqp://", StringComparison.Ordinal) || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = $"'{Redacted(text)}' is not an amqp://ADMIN:PASSWORD@HOST:PORT URL";
            return false;
        }
        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"the amqp URL {Redacted(text)} names no administrator and password: write amqp://ADMIN:PASSWORD@HOST:PORT (the password from the environment, e.g. ${{RABBITMQ_ADMIN_PASSWORD}})";
            return false;
        }
        if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0)
        {
            error = $"the amqp URL {Redacted(text)} is the server's address alone: each service gets a vhost of its own, so it names none";
            return false;
        }
        user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
        password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        host = uri.IdnHost.Trim('[', ']');
        port = uri.Port > 0 ? uri.Port : DefaultPort;
        return true;
    }

    /// <summary>A URL as an error may quote it: the password (anything between ':' and '@') left out.</summary>
    public static string Redacted(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return url;
        }
        var colon = url.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? url[..(colon + 1)] + "***" + url[at..] : url;
    }
}

using Autonomy.Server.Compose.Yaml;
using Autonomy.Server.Messaging.RabbitMq;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    private static readonly string[] MessagingKeys = [RabbitMqSettings.AmqpKey, RabbitMqSettings.ManagementKey, RabbitMqSettings.PrefixKey];
    private static readonly string[] QueueKeys = [DeclaredQueue.DurableKey, DeclaredQueue.ArgumentsKey];

    /// <summary>
    /// <c>x-autonomy.messaging</c> at the top level (a RabbitMQ server of the user's) and each service's
    /// <c>x-autonomy.queues</c>; on RabbitMQ, a queue that asks for a feature RabbitMQ lacks is refused here,
    /// where it is written, before anything starts.
    /// </summary>
    private void ValidateMessagingFields(MappingNode root)
    {
        var settings = (root["x-autonomy"] as MappingNode)?[RabbitMqSettings.Section] is { } messaging ? RabbitMq(messaging) : null;
        foreach (var (name, value) in (root["services"] as MappingNode)?.Entries ?? [])
        {
            if ((value as MappingNode)?["x-autonomy"] is MappingNode autonomy && autonomy[DeclaredQueue.Field] is { } queues)
            {
                Queues(queues, $"services.{name.Value}.x-autonomy.{DeclaredQueue.Field}", settings);
            }
        }
    }

    private RabbitMqSettings? RabbitMq(YamlNode node)
    {
        const string path = "x-autonomy.messaging";
        const string example = "messaging: {amqp: amqp://ADMIN:${RABBITMQ_ADMIN_PASSWORD}@HOST:5672, management: http://HOST:15672}";
        if (_checks.Mapping(node, path) is not { } messaging)
        {
            return null;
        }
        foreach (var (key, _) in messaging.Entries)
        {
            if (!MessagingKeys.Contains(key.Value))
            {
                _checks.Error(key, $"{path}.{key.Value}", $"'{key.Value}' is not a setting of {path}",
                    NameSuggestion.Closest(key.Value!, MessagingKeys) is { } close ? $"did you mean '{close}'?" : "its settings are amqp, management and prefix");
            }
        }
        if (messaging[RabbitMqSettings.AmqpKey] is not { } amqpNode)
        {
            _checks.Error(node, path, $"{path} names no RabbitMQ server: amqp is missing", $"write e.g. '{example}'");
            return null;
        }
        var amqp = _checks.Text(amqpNode, $"{path}.amqp");
        var managementNode = messaging[RabbitMqSettings.ManagementKey];
        var management = managementNode is null ? null : _checks.Text(managementNode, $"{path}.management");
        var prefix = messaging[RabbitMqSettings.PrefixKey] is { } prefixNode ? _checks.Text(prefixNode, $"{path}.prefix") : "";
        if (prefix is { Length: > 0 } && !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            _checks.Error(messaging[RabbitMqSettings.PrefixKey]!, $"{path}.prefix", $"the prefix '{prefix}' may hold letters, digits, '-', '_' and '.' only",
                "write e.g. 'prefix: shop-' to name the vhost and user of service orders 'shop-orders'");
            return null;
        }
        if (amqp is null || prefix is null || (managementNode is not null && management is null))
        {
            return null;
        }
        if (!RabbitMqSettings.TryParse(amqp, management, prefix, out var settings, out var error))
        {
            var wrong = RabbitMqSettings.AmqpError(amqp) is null ? RabbitMqSettings.ManagementKey : RabbitMqSettings.AmqpKey;
            var at = wrong == RabbitMqSettings.AmqpKey ? amqpNode : managementNode ?? node;
            _checks.Error(at, managementNode is null && wrong == RabbitMqSettings.ManagementKey ? path : $"{path}.{wrong}", error!, $"write e.g. '{example}'");
            return null;
        }
        return settings;
    }

    private void Queues(YamlNode node, string path, RabbitMqSettings? rabbitMq)
    {
        if (_checks.Mapping(node, path) is not { } queues)
        {
            return;
        }
        foreach (var (key, value) in queues.Entries)
        {
            var name = key.Value ?? "";
            var at = $"{path}.{name}";
            if (name.Length is 0 or > 255 || name.StartsWith("amq.", StringComparison.Ordinal))
            {
                _checks.Error(key, at, $"'{name}' is not a queue name: 1 to 255 characters, not starting with 'amq.'", "name it e.g. 'orders.created'");
                continue;
            }
            if (value is ScalarNode { Value: null })
            {
                Fits(key, at, rabbitMq, durable: true, []);
                continue;
            }
            if (_checks.Mapping(value, at) is not { } settings)
            {
                continue;
            }
            foreach (var (setting, _) in settings.Entries)
            {
                if (!QueueKeys.Contains(setting.Value))
                {
                    _checks.Error(setting, $"{at}.{setting.Value}", $"'{setting.Value}' is not a setting of a queue",
                        NameSuggestion.Closest(setting.Value!, QueueKeys) is { } close ? $"did you mean '{close}'?" : "its settings are durable and arguments");
                }
            }
            var durable = settings[DeclaredQueue.DurableKey] is { } d ? _checks.Boolean(d, $"{at}.durable") : true;
            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (settings[DeclaredQueue.ArgumentsKey] is { } a && _checks.Mapping(a, $"{at}.arguments") is { } given)
            {
                foreach (var (argument, argumentValue) in given.Entries)
                {
                    arguments[argument.Value ?? ""] = (argumentValue as ScalarNode)?.Value;
                }
            }
            if (durable is { } isDurable)
            {
                Fits(settings.KeyNode(DeclaredQueue.ArgumentsKey) ?? key, at, rabbitMq, isDurable, arguments);
            }
        }
    }

    /// <summary>On RabbitMQ, refuses a queue that needs what RabbitMQ 3.10 does not have.</summary>
    private void Fits(YamlNode node, string path, RabbitMqSettings? rabbitMq, bool durable, Dictionary<string, object?> arguments)
    {
        if (rabbitMq is null)
        {
            return;
        }
        if (RabbitMqFeatureCheck.CheckQueue(durable, exclusive: false, autoDelete: false, arguments, rabbitMq.Backend).Refusal is { } refusal)
        {
            _checks.Error(node, path, refusal,
                "x-autonomy.messaging names a RabbitMQ server: leave the feature out, or remove x-autonomy.messaging to run the queue on Autonomy's own broker");
        }
    }
}

namespace Autonomy.Server.Messaging;

/// <summary>
/// RabbitMQ's official image (<c>rabbitmq</c>, <c>rabbitmq:3</c>, <c>rabbitmq:3-management-alpine</c>,
/// <c>docker.io/library/rabbitmq:3.13</c>…), which Autonomy satisfies with its embedded broker: a compose file
/// written for Docker declares its broker that way, and its services reach it as <c>amqp://…@NAME:5672/</c>.
/// </summary>
public static class RabbitMqImage
{
    public const string Satisfiable = "rabbitmq (any tag: rabbitmq:3, rabbitmq:3-management…), served by Autonomy's embedded broker";

    /// <summary>The port the image's broker listens on for AMQP, which its clients name.</summary>
    public const int AmqpPort = 5672;

    /// <summary>What the image makes when its environment names nothing: the user guest, password guest, on the vhost "/".</summary>
    public const string DefaultUser = "guest";

    public const string DefaultPassword = "guest";

    public const string DefaultVhost = "/";

    public static bool IsRabbitMq(string image) => Data.Managed.OfficialImage.Is(image, "rabbitmq", out _);

    /// <summary>Whether the tag asks for the management plugin, whose HTTP API the embedded broker does not serve.</summary>
    public static bool HasManagement(string image) =>
        Data.Managed.OfficialImage.Is(image, "rabbitmq", out var tag) && tag is not null && tag.Contains("management", StringComparison.Ordinal);
}

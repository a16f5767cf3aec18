namespace Autonomy.Server.Data.Managed;

/// <summary>
/// A server Autonomy runs in place of an image, as its clients' URLs name it: the port the image listens on
/// (<paramref name="ImagePort"/>, <c>db:5432</c>, <c>messagequeue:5672</c>) and the loopback port that serves it here.
/// A URL that names the host without a port means the image's port only in the schemes of <paramref name="BareSchemes"/>
/// (any scheme when it is null).
/// </summary>
public sealed record ImageServer(int Port, int ImagePort, IReadOnlyList<string>? BareSchemes)
{
    public static ImageServer Postgres(int port) => new(port, 5432, null);

    // amqps is not rewritten: the embedded broker's listener speaks no TLS, and a client that asks for it should fail, not fall back.
    public static ImageServer RabbitMq(int port) => new(port, Messaging.RabbitMqImage.AmqpPort, ["amqp"]);
}

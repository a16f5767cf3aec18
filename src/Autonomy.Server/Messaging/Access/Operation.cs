namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// What a broker user does to an exchange or a queue, as RabbitMQ divides it: <see cref="Configure"/>
/// declares and deletes it, <see cref="Write"/> puts messages into it (publishing to an exchange, binding
/// a queue or exchange as a destination), <see cref="Read"/> takes messages out of it (consuming, purging,
/// binding an exchange as the source).
/// </summary>
public enum Operation
{
    Configure,
    Write,
    Read,
}

namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// A user of the broker: the name and password an AMQP client or an HTTP Basic caller gives. A service's
/// own user is made by the server when it starts (with a new random password each time, never written
/// anywhere); others are made with <c>PUT /v1/mq/users/{name}</c> and kept in the store, hashed.
/// </summary>
public sealed record BrokerUser(string Name, PasswordHash Password, IReadOnlyList<string> Tags, string? Service)
{
    /// <summary>RabbitMQ's tag for a user who may manage the broker (its vhosts, users and permissions).</summary>
    public const string AdministratorTag = "administrator";

    public bool IsService => Service is not null;

    public bool IsAdministrator => Tags.Contains(AdministratorTag, StringComparer.Ordinal);
}

namespace Autonomy.Server.Messaging;

/// <summary>
/// A service declared by the rabbitmq image, satisfied by the embedded broker: the vhost and the user its
/// environment names (RABBITMQ_DEFAULT_VHOST, RABBITMQ_DEFAULT_USER, RABBITMQ_DEFAULT_PASS), made in the broker
/// before anything that depends on it starts.
/// </summary>
public sealed record RabbitMqImagePlan(string Image, string User, string Password, string Vhost)
{
    /// <summary>What <c>ps</c> says stands in for the image.</summary>
    public string Runs => $"Autonomy's embedded broker, in place of the image {Image}";

    // The password is the compose file's, but plans are logged and compared as text: it stays out of both.
    public override string ToString() => $"{Image} {User}@{Vhost}";
}

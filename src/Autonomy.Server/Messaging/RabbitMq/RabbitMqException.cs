namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>RabbitMQ refused or could not be reached; the message names the URL and never a password.</summary>
public sealed class RabbitMqException(string message, Exception? inner = null) : Exception(message, inner);

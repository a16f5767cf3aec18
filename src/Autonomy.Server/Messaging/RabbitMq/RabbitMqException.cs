namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>RabbitMQ refused or could not be reached; the message names the URL and never a password.</summary>
public sealed class RabbitMqException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What was asked for is a feature RabbitMQ 3.10 lacks; the message names the feature and the backend.</summary>
public sealed class RabbitMqUnsupportedException(string message) : Exception(message);

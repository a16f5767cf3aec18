namespace Autonomy.Server.Messaging.Http;

/// <summary>A request body or query the messaging API cannot take: <see cref="Field"/> names where, the message says how to fix it.</summary>
internal sealed class InvalidBodyException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

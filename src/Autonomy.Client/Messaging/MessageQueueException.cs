namespace Autonomy.Client.Messaging;

/// <summary>
/// The broker answered with a refusal: its HTTP status, the problem's type (<c>urn:autonomy:problem:…</c>) and
/// what it said (for the broker's own refusals, the AMQP reply text: "NOT_FOUND - no queue 'x' in vhost 'y'").
/// A 429 is a full queue that refuses new messages: try again later.
/// </summary>
public sealed class MessageQueueException(int status, string? type, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string? Type { get; } = type;
}

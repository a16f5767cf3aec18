namespace Autonomy.Server.Messaging.Model;

/// <summary>
/// queue.declare. An empty name asks the broker to name the queue ("amq.gen-…"). <see cref="Owner"/> is the
/// connection declaring it: an exclusive queue belongs to it alone and goes when it closes.
/// </summary>
public sealed record QueueDeclaration(string Name, bool Durable = true, bool Exclusive = false, bool AutoDelete = false,
    FieldTable? Arguments = null, bool Passive = false, object? Owner = null);

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The queues that admitted a message being stored, each with its ticket (its place in that queue's line). Reused
/// per thread as <see cref="PublishScratch"/> is, so that storing a message allocates no lists.
/// </summary>
internal sealed class Admitted
{
    [ThreadStatic]
    private static Admitted? t_spare;

    public List<MessageQueue> Queues { get; } = new(4);

    public List<long> Tickets { get; } = new(4);

    public void Add(MessageQueue queue, long ticket)
    {
        Queues.Add(queue);
        Tickets.Add(ticket);
    }

    public static Admitted Take(int capacity)
    {
        var admitted = t_spare ?? new Admitted();
        t_spare = null;
        admitted.Queues.EnsureCapacity(capacity);
        admitted.Tickets.EnsureCapacity(capacity);
        return admitted;
    }

    public static void Return(Admitted admitted)
    {
        admitted.Queues.Clear();
        admitted.Tickets.Clear();
        t_spare = admitted;
    }
}

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// The lists a publish routes with, reused so that routing a message allocates nothing. Each thread keeps one:
/// taken for the duration of a publish and handed back after, so a publish that starts another on the same thread
/// (a consumer publishing from its delivery callback) simply gets a fresh one.
/// </summary>
internal sealed class PublishScratch
{
    [ThreadStatic]
    private static PublishScratch? t_spare;

    /// <summary>The queues the message reaches.</summary>
    public List<MessageQueue> Targets { get; } = new(4);

    public List<Binding> Matches { get; } = new(8);

    public List<Exchange> Visited { get; } = new(4);

    public Stack<Exchange> Pending { get; } = new(4);

    public static PublishScratch Take()
    {
        var scratch = t_spare ?? new PublishScratch();
        t_spare = null;
        return scratch;
    }

    public static void Return(PublishScratch scratch)
    {
        scratch.Targets.Clear();
        scratch.Matches.Clear();
        scratch.Visited.Clear();
        scratch.Pending.Clear();
        t_spare = scratch;
    }
}

using System.Runtime.CompilerServices;

namespace Autonomy.Server.Runtime.Logs;

internal sealed partial class LogHub
{
    /// <summary>
    /// Lines written from the moment enumeration starts, of one service or all, until <paramref name="ct"/> is
    /// cancelled (which throws <see cref="OperationCanceledException"/>, as channel readers do) or the hub is disposed
    /// (which ends the sequence). A reader more than <see cref="FollowBufferLines"/> behind loses the oldest lines and
    /// is told so by a <see cref="LogStream.System"/> line.
    /// </summary>
    public async IAsyncEnumerable<LogLine> Follow(string? service, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var subscriber = new LogSubscriber(service, FollowBufferLines);
        Subscribe(subscriber);
        try
        {
            await foreach (var line in subscriber.ReadAllAsync(ct))
            {
                yield return line;
            }
        }
        finally
        {
            Unsubscribe(subscriber);
        }
    }

    private void Subscribe(LogSubscriber subscriber)
    {
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }
        // Disposal may have completed the readers it saw before this one was added.
        if (_disposed)
        {
            subscriber.Complete();
        }
    }

    private void Unsubscribe(LogSubscriber subscriber)
    {
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscriber)];
        }
    }
}

namespace Autonomy.Client.Configuration;

/// <summary>
/// Following the namespaces: one loop per namespace asks the server for it with <c>?index=R&amp;wait=…</c>,
/// which answers as soon as the namespace's revision passes R. Blocking queries rather than the event
/// stream: each answer is the whole namespace, so nothing is lost across a reconnect and there is no
/// stream state to resume.
/// </summary>
internal sealed partial class AutonomyConfigurationProvider
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    private Task Follow(ConfigCenterClient client, IReadOnlyList<string> namespaces, long?[] revisions)
    {
        // The loops belong to the provider: no AsyncLocal of the code that built the configuration flows into them.
        using (ExecutionContext.SuppressFlow())
        {
            var ct = _stopping.Token;
            return Task.WhenAll(namespaces.Select((ns, i) => Task.Run(() => FollowAsync(client, i, ns, revisions[i], ct), CancellationToken.None)));
        }
    }

    /// <summary>Keeps one namespace current until the provider is disposed; never throws.</summary>
    private async Task FollowAsync(ConfigCenterClient client, int index, string ns, long? revision, CancellationToken ct)
    {
        // A namespace that could not be read at load has already been reported once.
        var failures = revision is null ? 1 : 0;
        var delay = FirstRetryDelay;
        while (!ct.IsCancellationRequested)
        {
            if (revision is not null && !_reloadOnChange)
            {
                return;
            }
            try
            {
                var next = await client.ReadAsync(ns, revision, _waitTime, _loadTimeout, ct);
                if (failures > 0)
                {
                    LogRecovered(_logger, ns, _url!, failures);
                    failures = 0;
                    delay = FirstRetryDelay;
                }
                // A revision that went back means a new store: its values are the truth all the same.
                if (next.Revision != revision)
                {
                    revision = next.Revision;
                    Publish(index, next);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                if (failures == 1)
                {
                    LogUnreachable(_logger, ns, _url!, Describe(e));
                }
                else
                {
                    LogStillUnreachable(_logger, ns, Describe(e), delay);
                }
                if (!await PauseAsync(delay, ct))
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Waits about <paramref name="delay"/> (give or take a fifth, so that replicas do not retry in step); false when stopped.</summary>
    private static async Task<bool> PauseAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay * (0.8 + (0.4 * Random.Shared.NextDouble())), ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A failure in a few words for a log line or an exception's message.</summary>
    private static string Describe(Exception e) => e switch
    {
        ConfigCenterException or HttpRequestException or TimeoutException => e.Message,
        System.Text.Json.JsonException => $"the answer is not a namespace ({e.Message})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

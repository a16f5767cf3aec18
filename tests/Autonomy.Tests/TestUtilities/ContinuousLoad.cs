using System.Net;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// Clients that keep sending requests until stopped, for the zero-downtime checks: every answer that is not 200 and
/// every request that fails is kept, and the bodies of the 200s (the replicas' ids) are collected.
/// </summary>
internal sealed class ContinuousLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _answeredBy = [];
    private readonly Task _workers;
    private int _sent;

    /// <param name="send">Sends request <c>i</c> of worker <c>w</c>.</param>
    public ContinuousLoad(int workers, Func<int, int, Task<HttpResponseMessage>> send)
    {
        _workers = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w, send))));
    }

    public int Sent => Volatile.Read(ref _sent);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public HashSet<string> AnsweredBy
    {
        get
        {
            lock (_failures)
            {
                return new HashSet<string>(_answeredBy);
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> more requests than now have been answered or failed.</summary>
    public Task MoreAsync(int count, string what)
    {
        var from = Sent;
        return RunningProject.WaitUntilAsync(() => Sent > from + count, what);
    }

    private async Task WorkAsync(int worker, Func<int, int, Task<HttpResponseMessage>> send)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await send(worker, i);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                lock (_failures)
                {
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        _answeredBy.Add(body);
                    }
                    else
                    {
                        _failures.Add($"{(int)response.StatusCode}: {body}");
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                lock (_failures)
                {
                    _failures.Add(e.Message);
                }
            }
            Interlocked.Increment(ref _sent);
        }
    }

    /// <summary>Stops the clients: whatever failed, left running they would spin against a stopped server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _workers;
        _stop.Dispose();
    }
}

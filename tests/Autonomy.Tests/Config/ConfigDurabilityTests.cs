using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>
/// Every acknowledged config write survives a <c>kill -9</c> of the server in the middle of many
/// concurrent writes. (The kernel keeps written pages across a process kill, so this alone cannot
/// catch a missing fsync; the store's WAL and synchronous=FULL settings are asserted separately.)
/// </summary>
public sealed class ConfigDurabilityTests : IAsyncLifetime
{
    private readonly TempProject _project = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Repository.RunAutonomyAsync(_project.Directory, ["down"]);
        _project.Dispose();
    }

    private (int Pid, HttpClient Http) Connect()
    {
        var state = Path.Combine(_project.Directory, ".autonomy", "durable");
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(state, "server.json")));
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{record.RootElement.GetProperty("port").GetInt32()}"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(state, "admin-token")).Trim());
        return (record.RootElement.GetProperty("pid").GetInt32(), http);
    }

    [Fact]
    public async Task AKillDuringConcurrentWritesLosesNothingAcknowledged()
    {
        _project.Write("compose.yaml", "name: durable\nservices:\n  web:\n    command: sleep 300\n");
        var up = await Repository.RunAutonomyAsync(_project.Directory, ["up", "-d"]);
        Assert.True(up.ExitCode == 0, up.ToString());
        var (pid, http) = Connect();
        using (http)
        {
            var acknowledged = new ConcurrentDictionary<string, string>();
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var key = $"writer{w}:key{n}";
                    try
                    {
                        using var response = await http.PutAsync($"/v1/config/web/keys/{key}", new StringContent($"value {n}"));
                        if (response.IsSuccessStatusCode)
                        {
                            acknowledged[key] = $"value {n}";
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server is gone
                    }
                    catch (TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();
            await RunningProject.WaitUntilAsync(() => acknowledged.Count >= 300, "writes are acknowledged", TimeSpan.FromSeconds(30));
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();

            var again = await Repository.RunAutonomyAsync(_project.Directory, ["up", "-d"]);
            Assert.True(again.ExitCode == 0, again.ToString());
            var (_, after) = Connect();
            using (after)
            {
                var stored = JsonDocument.Parse(await after.GetStringAsync("/v1/config/web")).RootElement.GetProperty("entries")
                    .EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString());
                var lost = acknowledged.Where(a => stored.GetValueOrDefault(a.Key) != a.Value).Select(a => a.Key).ToList();
                Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes are missing, e.g. {string.Join(", ", lost.Take(5))}");
            }
        }
    }
}

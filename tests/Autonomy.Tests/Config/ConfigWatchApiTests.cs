using System.Net;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>Server-Sent Events of config changes: every change, in order, and nothing missed across a reconnect.</summary>
public sealed class ConfigWatchApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync("name: watchapi\nservices:\n  web:\n    command: sleep 300\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<long> Put(string key, string value)
    {
        using var response = await _server.Http.PutAsync($"/v1/config/web/keys/{key}", new StringContent(value));
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("revision").GetInt64();
    }

    private async Task Txn(params string[] keys)
    {
        var body = JsonSerializer.Serialize(new { operations = keys.Select(k => new { op = "set", key = k, value = k.ToLowerInvariant() }) });
        using var response = await _server.Http.PostAsync("/v1/config/web/txn", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task EachChangeIsAnEventAndAReconnectMissesNothing()
    {
        using var first = await SseStream.OpenAsync(_server.Http, "/v1/config/web/watch");
        await Put("A", "1");
        await Txn("B", "C");
        var seen = await first.ReadAsync(3);
        Assert.Equal(["A", "B", "C"], seen.Select(e => e.Data.GetProperty("key").GetString()));
        Assert.Equal(seen[1].Data.GetProperty("revision").GetInt64(), seen[2].Data.GetProperty("revision").GetInt64());
        // The id is on the last change of a revision only, so that a resume never splits a revision.
        Assert.Null(seen[1].Id);
        Assert.NotNull(seen[2].Id);
        var lastId = first.LastEventId!;
        first.Dispose();

        // While disconnected: changes happen, including a deletion.
        await Put("D", "4");
        using (var delete = await _server.Http.DeleteAsync("/v1/config/web/keys/A"))
        {
            delete.EnsureSuccessStatusCode();
        }

        using var resumed = await SseStream.OpenAsync(_server.Http, "/v1/config/web/watch", lastId);
        var missed = await resumed.ReadAsync(2);
        Assert.Equal(["D", "A"], missed.Select(e => e.Data.GetProperty("key").GetString()));
        Assert.True(missed[1].Data.GetProperty("deleted").GetBoolean());
        await Put("E", "5");
        Assert.Equal("E", (await resumed.ReadAsync(1))[0].Data.GetProperty("key").GetString());
    }

    [Fact]
    public async Task AWatchFromARevisionReplaysWhatCameAfterIt()
    {
        var start = await Put("A", "1");
        await Put("B", "2");
        await Put("C", "3");
        using var stream = await SseStream.OpenAsync(_server.Http, $"/v1/config/web/watch?after={start}");
        Assert.Equal(["B", "C"], (await stream.ReadAsync(2)).Select(e => e.Data.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task AnUnknownNamespaceIsAProblemNotAStream()
    {
        using var response = await _server.Http.GetAsync("/v1/config/nope/watch");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

/// <summary>A minimal Server-Sent Events reader: enough to check what the server sends, field by field.</summary>
internal sealed class SseStream : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public string? LastEventId { get; private set; }

    /// <summary>Opens the stream and waits for the server's ": ok" comment (the watch is registered).</summary>
    public static async Task<SseStream> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var stream = new SseStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        Assert.Equal(": ok", await stream._reader.ReadLineAsync(stream._timeout.Token));
        return stream;
    }

    public async Task<List<(string? Id, string Event, JsonElement Data)>> ReadAsync(int count)
    {
        var events = new List<(string?, string, JsonElement)>();
        string? id = null, kind = null, data = null;
        while (events.Count < count)
        {
            var line = await _reader.ReadLineAsync(_timeout.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.Length == 0)
            {
                if (data is not null)
                {
                    events.Add((id, kind ?? "message", JsonDocument.Parse(data).RootElement.Clone()));
                    LastEventId = id ?? LastEventId;
                }
                (id, kind, data) = (null, null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _timeout.Dispose();
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Autonomy.Bench.Config;

/// <summary>A watch of GET /v1/config/{ns}/watch: reads its Server-Sent Events on a connection of its own.</summary>
/// <remarks>The server sends the comment ": ok" once the watch is registered; every change then comes as
/// <c>id: R</c>, <c>event: change</c>, <c>data: {"key":..,"value":..|null,"deleted":bool,..}</c> and a blank line.</remarks>
internal sealed class ServerSentEventsWatch : IAsyncDisposable
{
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _reading = Task.CompletedTask;

    private ServerSentEventsWatch(HttpClient http) => _http = http;

    public static async Task<ServerSentEventsWatch> OpenAsync(
        HttpClient http, string path, Action<string, long> onChange, CancellationToken cancellationToken)
    {
        var watch = new ServerSentEventsWatch(http);
        try
        {
            using var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch._stop.Token);
            opening.CancelAfter(RegistrationTimeout);
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/event-stream");
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, opening.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchFailure($"GET {path} did not answer within {RegistrationTimeout.TotalSeconds:0} s");
            }
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    await AutonomyTarget.EnsureSuccessAsync(response, $"GET {path}", cancellationToken);
                }
            }
            watch._reading = Task.Run(() => watch.ReadAsync(response, onChange), CancellationToken.None);
            try
            {
                await watch._registered.Task.WaitAsync(opening.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BenchFailure($"GET {path} sent no ': ok' within {RegistrationTimeout.TotalSeconds:0} s");
            }
            return watch;
        }
        catch
        {
            await watch.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or TimeoutException)
        {
            // The watch is closed on purpose: how its read ends does not matter.
        }
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync(HttpResponseMessage response, Action<string, long> onChange)
    {
        using (response)
        {
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                using var reader = new StreamReader(body, Encoding.UTF8);
                var eventType = "";
                var data = new StringBuilder();
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.Length == 0)
                    {
                        if (data.Length > 0 && eventType is "change" or "")
                        {
                            Dispatch(data.ToString(), Stopwatch.GetTimestamp(), onChange);
                        }
                        eventType = "";
                        data.Clear();
                    }
                    else if (line[0] == ':')
                    {
                        if (line.AsSpan(1).Trim().SequenceEqual("ok"))
                        {
                            _registered.TrySetResult();
                        }
                    }
                    else
                    {
                        var colon = line.IndexOf(':');
                        var field = colon < 0 ? line : line[..colon];
                        var value = colon < 0 ? "" : line[(colon + 1)..];
                        if (value.StartsWith(' '))
                        {
                            value = value[1..];
                        }
                        if (field == "event")
                        {
                            eventType = value;
                        }
                        else if (field == "data")
                        {
                            if (data.Length > 0)
                            {
                                data.Append('\n');
                            }
                            data.Append(value);
                        }
                    }
                }
                _registered.TrySetException(new BenchFailure("the Autonomy server closed the watch stream"));
            }
            catch (Exception e)
            {
                _registered.TrySetException(e);
                if (!_stop.IsCancellationRequested)
                {
                    throw;
                }
            }
        }
    }

    private static void Dispatch(string data, long receivedAt, Action<string, long> onChange)
    {
        using var json = JsonDocument.Parse(data);
        // A deletion carries "value": null; the bench only measures writes.
        if (json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
        {
            onChange(value.GetString()!, receivedAt);
        }
    }
}

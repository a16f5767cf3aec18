using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Autonomy.Tests.Messaging.Api;

/// <summary>Calls of the messaging API as a test makes them: JSON in, JSON (or a problem) out, the status checked.</summary>
internal static class MessagingHttp
{
    public static async Task<JsonElement> SendAsync(this HttpClient client, string method, string path, object? body = null, HttpStatusCode? expect = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is string text)
        {
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await client.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();
        if (expect is { } status)
        {
            Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode}: {answer}");
        }
        else
        {
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode}: {answer}");
        }
        return answer.Length == 0 ? default : JsonDocument.Parse(answer).RootElement.Clone();
    }

    /// <summary>A refusal: its status, problem type and the field or permission it names.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpClient client, string method, string path, object? body, HttpStatusCode status, string type)
    {
        var problem = await client.SendAsync(method, path, body, status);
        Assert.Equal($"urn:autonomy:problem:{type}", problem.GetProperty("type").GetString());
        return problem;
    }

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static long Number(this JsonElement element, string property) => element.GetProperty(property).GetInt64();
}

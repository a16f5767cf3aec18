using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// Every error the API returns is problem+json with a stable <c>type</c>: a body that does not bind
/// names the field and where it failed, an unknown path or method says so, and an unexpected failure
/// is a 500 without a stack trace (which goes to the server's own log instead).
/// </summary>
internal static class ApiErrors
{
    public static void Use(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                await BadBody(e).ExecuteAsync(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                await System.Console.Error.WriteLineAsync($"error: {context.Request.Method} {context.Request.Path} failed: {e}");
                await Problems.Of(500, "internal-error", "The server failed", "the call failed inside the server; its log (server.log in the state folder) has the details")
                    .ExecuteAsync(context);
            }
        });
        app.UseStatusCodePages(async pages =>
        {
            var context = pages.HttpContext;
            var call = $"{context.Request.Method} {context.Request.Path}";
            var problem = context.Response.StatusCode switch
            {
                404 => Problems.Of(404, "not-found", "No such endpoint", $"{call} is not part of this API; the endpoints are under /v1"),
                405 => Problems.Of(405, "method-not-allowed", "Method not allowed", $"{call}: this path takes {context.Response.Headers.Allow}"),
                var status => Problems.Of(status, "http-" + status, "The call failed", $"{call} failed with status {status}"),
            };
            await problem.ExecuteAsync(context);
        });
    }

    /// <summary>A body that is missing or does not bind: where the JSON went wrong, if it is JSON's fault.</summary>
    private static IResult BadBody(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException json)
        {
            var where = json.Path is { Length: > 0 } path ? $" at {path}" : "";
            var position = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
            var what = json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? "the value has the wrong type for this field (see the API's documented shape)"
                : FirstSentence(json.Message);
            return Problems.Of(400, "invalid-body", "The request body is not valid", $"the JSON body could not be read{where}{position}: {what}");
        }
        var detail = e.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            && (e.Message.Contains("required", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("no body", StringComparison.OrdinalIgnoreCase))
            ? "this call needs a JSON body (Content-Type: application/json)"
            : e.Message;
        return Problems.Of(e.StatusCode, "invalid-body", "The request body is not valid", detail);
    }

    // System.Text.Json appends " Path: $.x | LineNumber: 0 | BytePositionInLine: 5." which the detail already says better.
    private static string FirstSentence(string message) =>
        message.IndexOf(" Path:", StringComparison.Ordinal) is var cut and > 0 ? message[..cut] : message;
}

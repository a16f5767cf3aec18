namespace Autonomy.Client.Messaging;

/// <summary>Where the broker's HTTP API is and how to consume from it; the defaults come from the environment Autonomy gives a service.</summary>
public sealed class MessageQueueOptions
{
    /// <summary>The variable every replica gets: its own vhost, with its own user and password in the URL.</summary>
    public const string UrlVariable = "MESSAGE_QUEUE_HTTP_URL";

    /// <summary>The vhost's URL, <c>http://user:password@host:port/v1/mq/vhosts/VHOST</c> (default: MESSAGE_QUEUE_HTTP_URL).</summary>
    public string? Url { get; set; } = Environment.GetEnvironmentVariable(UrlVariable);

    /// <summary>How long a received message is held for this consumer before it goes back to the queue (default 30 s, at most 12 h).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one receive waits for a message before asking again (default 20 s).</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many messages one receive takes at most (default 10; 1 to 1000).</summary>
    public int Prefetch { get; set; } = 10;

    /// <summary>The transport, for tests or a proxy; null for a handler of its own.</summary>
    public HttpMessageHandler? Handler { get; set; }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Url))
        {
            throw new InvalidOperationException(
                $"no message queue URL: {UrlVariable} is not set (Autonomy gives it to each service it runs); set MessageQueueOptions.Url to use another broker");
        }
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"the message queue URL is not an http(s) URL: {Redact(Url)}");
        }
        if (Lease <= TimeSpan.Zero || Lease > TimeSpan.FromHours(12))
        {
            throw new InvalidOperationException("MessageQueueOptions.Lease must be more than zero and at most 12 hours");
        }
        if (Wait < TimeSpan.Zero || Wait > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException("MessageQueueOptions.Wait must be from zero to 10 minutes");
        }
        if (Prefetch is < 1 or > 1000)
        {
            throw new InvalidOperationException("MessageQueueOptions.Prefetch must be from 1 to 1000");
        }
    }

    /// <summary>The URL without its password, fit for a message or a log.</summary>
    internal static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0 ? url.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal) : url;
}

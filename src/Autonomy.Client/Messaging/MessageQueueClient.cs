using System.Collections;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autonomy.Client.Messaging;

/// <summary>
/// A client of Autonomy's message broker over its HTTP API, for one vhost: declare exchanges and queues, bind
/// them, publish (each publish returns once the broker holds the message durably), and consume under a lease
/// (<see cref="ConsumeAsync"/>) with acks and nacks. Built from MESSAGE_QUEUE_HTTP_URL by default, which
/// carries the service's own vhost and credentials. Thread-safe; keep one per process.
/// </summary>
public sealed partial class MessageQueueClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>A client of the vhost at <paramref name="url"/> (<c>http://user:password@host:port/v1/mq/vhosts/VHOST</c>).</summary>
    public MessageQueueClient(string url) : this(new MessageQueueOptions { Url = url })
    {
    }

    public MessageQueueClient(MessageQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        var uri = new Uri(options.Url!);
        _http = options.Handler is null ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) : new HttpClient(options.Handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        var address = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
        _http.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        if (uri.UserInfo.Length > 0)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(uri.UserInfo))));
        }
        Vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimEnd('/').Split('/')[^1]);
    }

    public MessageQueueOptions Options { get; }

    /// <summary>The vhost this client works in.</summary>
    public string Vhost { get; }

    /// <summary>Where the vhost's API is (without the credentials).</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Declares a queue (durable unless told); declaring one that exists with the same options changes nothing.</summary>
    /// <param name="arguments">x-arguments: x-dead-letter-exchange, x-message-ttl, x-max-length, x-delivery-limit, x-retry-backoff …</param>
    public async Task DeclareQueueAsync(string queue, bool durable = true, bool autoDelete = false, IReadOnlyDictionary<string, object?>? arguments = null,
        CancellationToken ct = default)
    {
        var body = new JsonObject { ["durable"] = durable, ["auto_delete"] = autoDelete };
        if (arguments is not null)
        {
            body["arguments"] = ToJson(arguments);
        }
        await SendAsync(HttpMethod.Put, $"queues/{Escape(queue)}", body, ct);
    }

    /// <summary>Declares an exchange of <paramref name="type"/>: direct, fanout, topic or headers.</summary>
    public async Task DeclareExchangeAsync(string exchange, string type, bool durable = true, bool autoDelete = false,
        IReadOnlyDictionary<string, object?>? arguments = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["type"] = type, ["durable"] = durable, ["auto_delete"] = autoDelete };
        if (arguments is not null)
        {
            body["arguments"] = ToJson(arguments);
        }
        await SendAsync(HttpMethod.Put, $"exchanges/{Escape(exchange)}", body, ct);
    }

    /// <summary>Binds <paramref name="queue"/> to <paramref name="exchange"/> for <paramref name="routingKey"/> (a pattern, for a topic exchange).</summary>
    /// <remarks>
    /// Not named BindAsync: ASP.NET Core's minimal APIs take a type with a BindAsync method for one that binds
    /// itself from the request, and would refuse the client as a handler's parameter.
    /// </remarks>
    public async Task BindQueueAsync(string queue, string exchange, string routingKey = "", IReadOnlyDictionary<string, object?>? arguments = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["source"] = exchange, ["destination"] = queue, ["destination_type"] = "queue", ["routing_key"] = routingKey };
        if (arguments is not null)
        {
            body["arguments"] = ToJson(arguments);
        }
        await SendAsync(HttpMethod.Post, "bindings", body, ct);
    }

    /// <summary>
    /// Publishes a message to <paramref name="exchange"/> ("" or amq.default: the queue named by the routing
    /// key) and returns once the broker holds it durably.
    /// </summary>
    /// <exception cref="MessageQueueException">The broker refused it (429: a full queue refuses new messages; try again later).</exception>
    public async Task<PublishOutcome> PublishAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body, MessageProperties? properties = null,
        CancellationToken ct = default)
    {
        var envelope = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["properties"] = PropertiesJson(properties ?? new MessageProperties()),
            ["payload"] = Convert.ToBase64String(body.Span),
            ["payload_encoding"] = "base64",
        };
        var path = $"exchanges/{Escape(exchange.Length == 0 ? "amq.default" : exchange)}/publish";
        using var answer = await SendAsync(HttpMethod.Post, path, envelope, ct);
        return answer!.RootElement.GetProperty("outcome").GetString() switch
        {
            "routed" => PublishOutcome.Routed,
            "duplicate" => PublishOutcome.Duplicate,
            _ => PublishOutcome.Unroutable,
        };
    }

    /// <summary>Publishes <paramref name="text"/> as UTF-8 (content type text/plain unless <paramref name="properties"/> say otherwise).</summary>
    public Task<PublishOutcome> PublishAsync(string exchange, string routingKey, string text, MessageProperties? properties = null, CancellationToken ct = default) =>
        PublishAsync(exchange, routingKey, Encoding.UTF8.GetBytes(text),
            (properties ?? new MessageProperties()) is var p && p.ContentType is null ? p with { ContentType = "text/plain; charset=utf-8" } : p, ct);

    /// <summary>Acknowledges messages received from one queue, in one call.</summary>
    public async Task AckAsync(IReadOnlyCollection<ReceivedMessage> messages, CancellationToken ct = default)
    {
        foreach (var group in messages.GroupBy(m => m.Queue))
        {
            await SendAsync(HttpMethod.Post, $"queues/{Escape(group.Key)}/ack", new JsonObject { ["receipts"] = Receipts(group) }, ct);
        }
    }

    /// <summary>Gives messages back: to their queue (after <paramref name="delay"/>), or with <paramref name="requeue"/> false to its dead-letter exchange.</summary>
    public async Task NackAsync(IReadOnlyCollection<ReceivedMessage> messages, bool requeue = true, TimeSpan? delay = null, CancellationToken ct = default)
    {
        foreach (var group in messages.GroupBy(m => m.Queue))
        {
            var body = new JsonObject { ["receipts"] = Receipts(group), ["requeue"] = requeue };
            if (delay is { } wait)
            {
                body["delay_ms"] = (long)wait.TotalMilliseconds;
            }
            await SendAsync(HttpMethod.Post, $"queues/{Escape(group.Key)}/nack", body, ct);
        }
    }

    private static JsonArray Receipts(IEnumerable<ReceivedMessage> messages) => [.. messages.Select(m => (JsonNode)m.Receipt)];

    /// <summary>Sends a call; the answer's JSON (null when it has none), or the refusal as an exception.</summary>
    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct, TimeSpan? wait = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        // A call that is not a long poll answers quickly; one that hangs is a broker that is gone.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter((wait ?? TimeSpan.Zero) + TimeSpan.FromSeconds(60));
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal((int)response.StatusCode, text);
            }
            return text.Length == 0 ? null : JsonDocument.Parse(text);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the broker at {BaseAddress} did not answer {method} {path} in time");
        }
    }

    private static MessageQueueException Refusal(int status, string text)
    {
        try
        {
            using var problem = JsonDocument.Parse(text);
            var root = problem.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : text;
            return new MessageQueueException(status, type, $"{status}: {detail}");
        }
        catch (JsonException)
        {
            return new MessageQueueException(status, null, $"{status}: {text}");
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private static JsonObject PropertiesJson(MessageProperties p)
    {
        var json = new JsonObject { ["delivery_mode"] = p.Persistent ? 2 : 1 };
        void Add(string name, JsonNode? value)
        {
            if (value is not null)
            {
                json[name] = value;
            }
        }
        Add("content_type", p.ContentType);
        Add("content_encoding", p.ContentEncoding);
        Add("priority", p.Priority is { } priority ? JsonValue.Create((int)priority) : null);
        Add("correlation_id", p.CorrelationId);
        Add("reply_to", p.ReplyTo);
        Add("expiration", p.Expiration is { } ttl ? ((long)ttl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) : null);
        Add("message_id", p.MessageId);
        Add("timestamp", p.Timestamp is { } at ? JsonValue.Create(at.ToUnixTimeSeconds()) : null);
        Add("type", p.Type);
        Add("app_id", p.AppId);
        var headers = p.Headers is null ? null : ToJson(p.Headers);
        if (p.Delay is { } delay)
        {
            headers ??= [];
            headers["x-delay"] = (long)delay.TotalMilliseconds;
        }
        Add("headers", headers);
        return json;
    }

    /// <summary>Header and argument values as JSON, without reflection (the library is trimmable).</summary>
    private static JsonObject ToJson(IReadOnlyDictionary<string, object?> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = Value(value, key);
        }
        return json;
    }

    private static JsonNode? Value(object? value, string name) => value switch
    {
        null => null,
        string s => s,
        bool b => b,
        int or long or short or byte or sbyte or uint or ushort => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        double d => d,
        float f => f,
        decimal m => m,
        DateTimeOffset time => time.ToUnixTimeSeconds(),
        TimeSpan span => (long)span.TotalMilliseconds,
        IReadOnlyDictionary<string, object?> nested => ToJson(nested),
        IEnumerable list and not string => new JsonArray([.. list.Cast<object?>().Select(item => Value(item, name))]),
        _ => throw new ArgumentException($"'{name}' is a {value.GetType().Name}: a header or argument is a string, number, boolean, timestamp, dictionary or list", nameof(value)),
    };

    public void Dispose() => _http.Dispose();
}

// A minimal C# service for Autonomy: it listens on the port it is given and says who it is, with the
// greeting from its configuration. `./autonomy config set hello Greeting "Hi there"` changes the answer
// at once, without a restart. It also sends messages through its broker at MESSAGE_QUEUE_URL with
// RabbitMQ.Client: `curl -d hi localhost:PORT/messages` publishes one, `curl localhost:PORT/messages` shows
// what its consumer received. `curl localhost:PORT/neighbour` calls another service by its name (world, or the
// config key Neighbour) with an HttpClient that Autonomy's registry resolves to one of that service's healthy replicas.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddAutonomy(); // the config center's shared and own namespaces; outside Autonomy, nothing
// http://NAME reaches a healthy replica of service NAME, following the registry; outside Autonomy, the usual providers.
builder.Services.AddServiceDiscovery().AddAutonomyServiceEndpointProvider();
builder.Services.AddHttpClient("neighbour", c => c.Timeout = TimeSpan.FromSeconds(10)).AddServiceDiscovery();
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // not a line per health check
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
var app = builder.Build();

var instance = Environment.GetEnvironmentVariable("AUTONOMY_INSTANCE") ?? "a replica";
// Connected before the service answers its health check; outside Autonomy (no MESSAGE_QUEUE_URL) there is no broker.
await using var messages = Environment.GetEnvironmentVariable("MESSAGE_QUEUE_URL") is { Length: > 0 } url
    ? await Messages.ConnectAsync(url, instance)
    : null;

// Read at each request: the configuration is kept current by the config center.
app.MapGet("/", () => $"{app.Configuration["Greeting"] ?? "Hello"} from {instance}\n");
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapPost("/messages", async (HttpRequest request) =>
{
    if (messages is null)
    {
        return Results.Problem(statusCode: 503, title: "No broker", detail: "MESSAGE_QUEUE_URL is not set");
    }
    var text = await new StreamReader(request.Body).ReadToEndAsync();
    if (text.Length == 0)
    {
        return Results.Problem(statusCode: 400, title: "No message", detail: "send the message as the request's body");
    }
    try
    {
        await messages.PublishAsync(text);
    }
    catch (RabbitMQ.Client.Exceptions.PublishException e)
    {
        return Results.Problem(statusCode: 503, title: "The broker did not take the message", detail: e.Message);
    }
    return Results.Created("/messages", new { published = text });
});
app.MapGet("/messages", () => Results.Ok(new { received = messages?.Received ?? [] }));
app.MapGet("/neighbour", async (IHttpClientFactory clients) =>
{
    var neighbour = app.Configuration["Neighbour"] ?? "world";
    try
    {
        var answer = await clients.CreateClient("neighbour").GetStringAsync($"http://{neighbour}/");
        return Results.Text($"{instance} asked {neighbour}: {answer}");
    }
    catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
    {
        return Results.Problem(statusCode: 502, title: $"{neighbour} did not answer", detail: e.Message);
    }
});

app.Run();

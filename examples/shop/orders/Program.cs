using System.Collections.Concurrent;
using System.Text.Json;
using Autonomy.Client.Messaging;

// The orders service: listens on PORT, checks each product with the catalog at CATALOG_URL, and publishes an
// "order placed" message for each order to its own vhost of the broker (MESSAGE_QUEUE_HTTP_URL), where the
// worker takes it from the order-confirmations queue.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // one line per request is noise in `autonomy logs`
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri(Environment.GetEnvironmentVariable("CATALOG_URL") ?? "http://127.0.0.1:8081"));
builder.Services.AddAutonomyMessaging();
var app = builder.Build();

// Declared before the service answers its health check: an order taken from then on has a queue to go to,
// even while the worker is down.
var queue = app.Services.GetRequiredService<MessageQueueClient>();
await queue.DeclareExchangeAsync("orders", "topic");
await queue.DeclareQueueAsync("order-confirmations");
await queue.BindQueueAsync("order-confirmations", "orders", "order.placed");

var orders = new ConcurrentQueue<Order>();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapGet("/orders", () => Results.Ok(orders.ToArray()));
app.MapPost("/orders/{product}", async (string product, IHttpClientFactory clients, MessageQueueClient messages) =>
{
    var response = await clients.CreateClient("catalog").GetAsync($"/products/{Uri.EscapeDataString(product)}");
    if (!response.IsSuccessStatusCode)
    {
        return Results.Problem(statusCode: 404, title: "Unknown product", detail: $"the catalog has no product '{product}'");
    }
    var item = await response.Content.ReadFromJsonAsync<Product>();
    var order = new Order(orders.Count + 1, product, item!.Price, DateTimeOffset.UtcNow);
    orders.Enqueue(order);
    // The order is confirmed to the customer only once the broker holds its message on disk.
    await messages.PublishAsync("orders", "order.placed", JsonSerializer.Serialize(order, OrderJson.Default.Order),
        new MessageProperties { ContentType = "application/json", MessageId = $"order-{order.Id}-{order.At.ToUnixTimeMilliseconds()}" });
    return Results.Created($"/orders/{order.Id}", order);
});

app.Run();

internal sealed record Product(string Name, decimal Price);

internal sealed record Order(int Id, string Product, decimal Price, DateTimeOffset At);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(Order))]
internal sealed partial class OrderJson : System.Text.Json.Serialization.JsonSerializerContext;

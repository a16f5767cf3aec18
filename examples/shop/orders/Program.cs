using System.Collections.Concurrent;

// The orders service: listens on PORT, checks each product with the catalog at CATALOG_URL.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // one line per request is noise in `autonomy logs`
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri(Environment.GetEnvironmentVariable("CATALOG_URL") ?? "http://127.0.0.1:8081"));
var app = builder.Build();

var orders = new ConcurrentQueue<Order>();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapGet("/orders", () => Results.Ok(orders.ToArray()));
app.MapPost("/orders/{product}", async (string product, IHttpClientFactory clients) =>
{
    var response = await clients.CreateClient("catalog").GetAsync($"/products/{Uri.EscapeDataString(product)}");
    if (!response.IsSuccessStatusCode)
    {
        return Results.Problem(statusCode: 404, title: "Unknown product", detail: $"the catalog has no product '{product}'");
    }
    var item = await response.Content.ReadFromJsonAsync<Product>();
    var order = new Order(orders.Count + 1, product, item!.Price, DateTimeOffset.UtcNow);
    orders.Enqueue(order);
    return Results.Created($"/orders/{order.Id}", order);
});

app.Run();

internal sealed record Product(string Name, decimal Price);

internal sealed record Order(int Id, string Product, decimal Price, DateTimeOffset At);

// A minimal C# service for Autonomy: it listens on the port it is given and says who it is.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // not a line per health check
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
var app = builder.Build();

app.MapGet("/", () => $"Hello from {Environment.GetEnvironmentVariable("AUTONOMY_INSTANCE") ?? "a replica"}\n");
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

app.Run();

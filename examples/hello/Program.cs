// A minimal C# service for Autonomy: it listens on the port it is given and says who it is, with the
// greeting from its configuration. `./autonomy config set hello Greeting "Hi there"` changes the answer
// at once, without a restart.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddAutonomy(); // the config center's shared and own namespaces; outside Autonomy, nothing
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // not a line per health check
builder.WebHost.UseUrls($"http://127.0.0.1:{Environment.GetEnvironmentVariable("PORT") ?? "8080"}");
var app = builder.Build();

var instance = Environment.GetEnvironmentVariable("AUTONOMY_INSTANCE") ?? "a replica";
// Read at each request: the configuration is kept current by the config center.
app.MapGet("/", () => $"{app.Configuration["Greeting"] ?? "Hello"} from {instance}\n");
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

app.Run();

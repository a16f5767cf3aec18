using System.Net;

// The service every target of the gateway bench reaches: a small text answer from Kestrel on $PORT.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var port = int.Parse(Environment.GetEnvironmentVariable("PORT") ?? "5000", System.Globalization.CultureInfo.InvariantCulture);
builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
var app = builder.Build();
app.MapGet("/", () => "hello from the bench service\n");
app.MapGet("/health", () => "ok");
app.Run();

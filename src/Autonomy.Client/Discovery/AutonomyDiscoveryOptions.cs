namespace Autonomy.Client.Discovery;

/// <summary>
/// How the discovery resolver reads Autonomy's registry. The defaults come from the variables Autonomy gives every
/// replica, so inside Autonomy nothing needs setting; outside it (no <c>AUTONOMY_URL</c>) the resolver is not added.
/// </summary>
public sealed class AutonomyDiscoveryOptions
{
    /// <summary>The control plane's address, such as <c>http://127.0.0.1:7070</c>. Defaults to the <c>AUTONOMY_URL</c> variable.</summary>
    public string? Url { get; set; } = Environment.GetEnvironmentVariable("AUTONOMY_URL");

    /// <summary>The bearer token sent with every request. Defaults to the <c>AUTONOMY_TOKEN</c> variable (a replica's may read the whole registry).</summary>
    public string? Token { get; set; } = Environment.GetEnvironmentVariable("AUTONOMY_TOKEN");

    /// <summary>How long each blocking query waits on the server for a change before it asks again. Defaults to 5 minutes; at most 10.</summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a first resolution waits for the registry's answer before it falls back to the other providers
    /// (the <c>services__NAME__http__0</c> configuration Autonomy also sets). Defaults to 5 seconds.
    /// </summary>
    public TimeSpan FirstAnswerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between attempts while the registry cannot be read; retries start at half a second and double. Defaults to 10 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A handler for the requests to the registry (tests, proxies); by default a new one.</summary>
    public HttpMessageHandler? Handler { get; set; }
}

using Microsoft.Extensions.Logging;

namespace Autonomy.Client.Configuration;

/// <summary>
/// How <c>AddAutonomy</c> reads configuration from Autonomy's config center. The defaults come from
/// the variables Autonomy gives every replica, so inside Autonomy nothing needs setting.
/// </summary>
public sealed class AutonomyConfigurationOptions
{
    /// <summary>The namespace every service may read; its values are overridden by the service's own.</summary>
    public const string SharedNamespace = "shared";

    /// <summary>
    /// The config center's address, such as <c>http://127.0.0.1:7070</c>. Defaults to the
    /// <c>AUTONOMY_URL</c> variable; when it is not set the process runs outside Autonomy, and
    /// an optional source adds nothing.
    /// </summary>
    public string? Url { get; set; } = Environment.GetEnvironmentVariable("AUTONOMY_URL");

    /// <summary>The bearer token sent with every request. Defaults to the <c>AUTONOMY_TOKEN</c> variable.</summary>
    public string? Token { get; set; } = Environment.GetEnvironmentVariable("AUTONOMY_TOKEN");

    /// <summary>
    /// The service whose namespace is read after <see cref="SharedNamespace"/>. Defaults to the
    /// <c>AUTONOMY_SERVICE</c> variable.
    /// </summary>
    public string? Service { get; set; } = Environment.GetEnvironmentVariable("AUTONOMY_SERVICE");

    /// <summary>
    /// The namespaces to read, in order: a key in a later one wins over the same key in an earlier
    /// one. Defaults to <c>["shared", Service]</c>; a replica's token may read only those two.
    /// </summary>
    public IReadOnlyList<string>? Namespaces { get; set; }

    /// <summary>
    /// Whether the application may start without the config center. Defaults to <see langword="true"/>:
    /// without <c>AUTONOMY_URL</c> nothing is added; with it, an unreachable server is logged as a
    /// warning and tried again in the background, and its values appear once it answers. When
    /// <see langword="false"/>, a missing <c>AUTONOMY_URL</c> or a server that cannot be read at
    /// start throws an <see cref="InvalidOperationException"/> that names the address.
    /// </summary>
    public bool Optional { get; set; } = true;

    /// <summary>Whether changes are followed after the first load. Defaults to <see langword="true"/>.</summary>
    public bool ReloadOnChange { get; set; } = true;

    /// <summary>
    /// How long each blocking query waits on the server for a change before it is asked again.
    /// Defaults to 30 seconds; at most 10 minutes (the server's limit).
    /// </summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the first load may take before the server counts as unreachable. Defaults to 10 seconds.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest pause between attempts while the server cannot be read. Retries start after half a
    /// second and double up to this. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where warnings (an unreachable server) and reloads are logged. Configuration is built before
    /// the host's logging exists, so this is not taken from the host; when null nothing is logged.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// The handler requests go through, for a proxy or a test; it is not disposed with the provider.
    /// When null a handler of the provider's own is used.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>The namespaces to read: <see cref="Namespaces"/>, or shared and the service's own; null when neither is known.</summary>
    internal IReadOnlyList<string>? EffectiveNamespaces =>
        Namespaces ?? (string.IsNullOrEmpty(Service) ? null : [SharedNamespace, Service]);

    /// <summary>Throws for values that can never work, whatever <see cref="Optional"/> says.</summary>
    internal void Validate()
    {
        if (WaitTime <= TimeSpan.Zero || WaitTime > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(WaitTime), WaitTime, "WaitTime must be more than zero and at most 10 minutes");
        }
        if (LoadTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LoadTimeout), LoadTimeout, "LoadTimeout must be more than zero");
        }
        if (MaxRetryDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, "MaxRetryDelay must be more than zero");
        }
        if (Namespaces is { Count: 0 })
        {
            throw new ArgumentException("Namespaces must name at least one namespace (or be null for shared and the service's own)", nameof(Namespaces));
        }
        if (!string.IsNullOrEmpty(Url) && !(Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"Url '{Url}' is not an http:// or https:// address", nameof(Url));
        }
    }
}

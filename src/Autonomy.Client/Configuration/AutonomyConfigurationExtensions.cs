using Autonomy.Client.Configuration;

// In the namespace of IConfigurationBuilder, as the framework's own Add* methods are, so that
// builder.Configuration.AddAutonomy() needs no using.
namespace Microsoft.Extensions.Configuration;

/// <summary>Adds Autonomy's config center to a configuration builder.</summary>
public static class AutonomyConfigurationExtensions
{
    /// <summary>
    /// Adds the config center's <c>shared</c> namespace and then the service's own (whose values win),
    /// read through <c>AUTONOMY_URL</c>, <c>AUTONOMY_TOKEN</c> and <c>AUTONOMY_SERVICE</c>, and kept
    /// current: a change made with <c>autonomy config set</c> reaches <see cref="IConfiguration"/>, its
    /// reload token and <c>IOptionsMonitor&lt;T&gt;</c> within moments, without a restart.
    /// </summary>
    /// <remarks>
    /// Outside Autonomy (no <c>AUTONOMY_URL</c>) nothing is added, so the same program runs anywhere.
    /// An unreachable server does not stop the application: it is tried again in the background.
    /// Keys are the config center's as they are (<c>Logging:LogLevel:Default</c>); a JSON value is its
    /// JSON text. Works on <c>WebApplicationBuilder.Configuration</c> and
    /// <c>HostApplicationBuilder.Configuration</c>; the background reads stop when the configuration is
    /// disposed, which the host does at shutdown.
    /// </remarks>
    /// <param name="builder">The configuration builder, such as <c>builder.Configuration</c>.</param>
    public static IConfigurationBuilder AddAutonomy(this IConfigurationBuilder builder) => builder.AddAutonomy(_ => { });

    /// <summary>
    /// Adds Autonomy's config center as <see cref="AddAutonomy(IConfigurationBuilder)"/> does, with
    /// options: <c>AddAutonomy(o =&gt; { o.Optional = false; })</c>.
    /// </summary>
    /// <param name="builder">The configuration builder, such as <c>builder.Configuration</c>.</param>
    /// <param name="configure">Changes the options, whose defaults come from the environment.</param>
    /// <exception cref="InvalidOperationException">
    /// <see cref="AutonomyConfigurationOptions.Optional"/> is false and the config center is not set or
    /// cannot be read (thrown when the configuration is built; a <c>ConfigurationManager</c> builds at once).
    /// </exception>
    public static IConfigurationBuilder AddAutonomy(this IConfigurationBuilder builder, Action<AutonomyConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new AutonomyConfigurationOptions();
        configure(options);
        options.Validate();
        if (string.IsNullOrEmpty(options.Url) && options.Optional)
        {
            return builder;
        }
        return builder.Add(new AutonomyConfigurationSource(options));
    }
}

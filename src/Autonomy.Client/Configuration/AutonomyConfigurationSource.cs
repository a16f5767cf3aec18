using Microsoft.Extensions.Configuration;

namespace Autonomy.Client.Configuration;

/// <summary>The config center as a configuration source; each provider it builds reads and follows it on its own.</summary>
internal sealed class AutonomyConfigurationSource(AutonomyConfigurationOptions options) : IConfigurationSource
{
    public AutonomyConfigurationOptions Options { get; } = options;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new AutonomyConfigurationProvider(Options);
}

namespace Autonomy.Bench.Config;

/// <summary>A failure the driver reports as one line, without a stack trace.</summary>
internal sealed class BenchFailure(string message) : Exception(message);

namespace Autonomy.Server.Compose.Diagnostics;

/// <summary>A compose model could not be loaded. Carries every error found in the pass, in file order.</summary>
public sealed class ComposeException : Exception
{
    public ComposeException(IReadOnlyList<ComposeDiagnostic> diagnostics)
        : base(string.Join("\n", diagnostics.Where(d => d.IsError).Select(d => d.Format())))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Errors and any warnings found before the load stopped.</summary>
    public IReadOnlyList<ComposeDiagnostic> Diagnostics { get; }

    public IEnumerable<ComposeDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}

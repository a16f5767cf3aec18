using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Diagnostics;

/// <summary>
/// Collects findings so that one pass reports every error a file has, rather than the first only.
/// Stages that cannot go on after an error call <see cref="ThrowIfErrors"/>.
/// </summary>
internal sealed class DiagnosticBag
{
    private readonly List<ComposeDiagnostic> _items = [];
    private readonly HashSet<string> _seen = [];

    public IReadOnlyList<ComposeDiagnostic> Items => _items;

    public bool HasErrors => _items.Any(d => d.IsError);

    public void Error(SourceLocation location, string path, string message, string? hint = null) =>
        Add(new ComposeDiagnostic(DiagnosticSeverity.Error, location, path, message, hint));

    public void Error(YamlNode node, string path, string message, string? hint = null) => Error(node.Location, path, message, hint);

    public void Warning(SourceLocation location, string path, string message, string? hint = null) =>
        Add(new ComposeDiagnostic(DiagnosticSeverity.Warning, location, path, message, hint));

    public void ThrowIfErrors()
    {
        if (HasErrors)
        {
            throw new ComposeException(Sorted());
        }
    }

    public IReadOnlyList<ComposeDiagnostic> Sorted() =>
        [.. _items.OrderBy(d => d.IsError ? 1 : 0).ThenBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column)];

    private void Add(ComposeDiagnostic diagnostic)
    {
        // The same value reached twice (a service extended by two others) is reported once.
        if (_seen.Add(diagnostic.Format()))
        {
            _items.Add(diagnostic);
        }
    }
}

namespace Autonomy.Server.Compose.Diagnostics;

internal enum DiagnosticSeverity
{
    Warning,
    Error,
}

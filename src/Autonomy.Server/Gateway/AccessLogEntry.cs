using System.Net;

namespace Autonomy.Server.Gateway;

/// <summary>One request through the gateway, as its route's access log records it.</summary>
internal readonly record struct AccessLogEntry(
    DateTimeOffset Time, string Route, string Method, string Path, int Status, double DurationMs, string? Destination, string RequestId, IPAddress? Client);

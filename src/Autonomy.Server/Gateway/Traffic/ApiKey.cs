namespace Autonomy.Server.Gateway.Traffic;

/// <summary>
/// A key made with <c>autonomy keys create</c>: the routes it opens (<c>orders/0</c>, or <c>orders</c> for
/// every route of the service), its quota, and when it was revoked. The key itself is never kept.
/// </summary>
internal sealed class ApiKey(string id, IReadOnlyList<string> routes, QuotaCounter? quota)
{
    public string Id { get; } = id;

    public string? Name { get; init; }

    public IReadOnlyList<string> Routes { get; } = routes;

    /// <summary>Null when the key has no quota.</summary>
    public QuotaCounter? Quota { get; } = quota;

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset? Revoked { get; set; }

    public bool Opens(string routeId)
    {
        foreach (var route in Routes)
        {
            if (route == routeId || (routeId.StartsWith(route, StringComparison.Ordinal) && routeId.Length > route.Length && routeId[route.Length] == '/'))
            {
                return true;
            }
        }
        return false;
    }
}

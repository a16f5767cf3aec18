namespace Autonomy.Server.Data;

/// <summary>How a service reaches its database: <c>DATABASE_URL</c> and <c>ConnectionStrings__Database</c>.</summary>
public sealed record DatabaseAccess(string Url, string ConnectionString)
{
    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DATABASE_URL"] = Url,
        ["ConnectionStrings__Database"] = ConnectionString,
    };
}

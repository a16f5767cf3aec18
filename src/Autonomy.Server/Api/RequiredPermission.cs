using Autonomy.Server.Governance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The permission a route needs, declared where the route is mapped:
/// <c>.Requires("config:write:{ns}")</c> takes the scope from the route's <c>ns</c> value,
/// <c>.Requires("services:read")</c> needs the permission for every scope. A route that declares
/// nothing can be called by the admin role only.
/// </summary>
internal sealed class RequiredPermission
{
    /// <summary>What a route without a declaration needs: a kind no role but admin's holds.</summary>
    public static RequiredPermission Undeclared { get; } = new("admin", null, null);

    private RequiredPermission(string kind, string? scopeParameter, string? scope)
    {
        Kind = kind;
        ScopeParameter = scopeParameter;
        Scope = scope;
    }

    public string Kind { get; }

    /// <summary>The route value that names the scope (<c>ns</c> in <c>config:read:{ns}</c>), or null.</summary>
    public string? ScopeParameter { get; }

    /// <summary>A scope written out (<c>shared</c> in <c>config:read:shared</c>), or null.</summary>
    public string? Scope { get; }

    public static RequiredPermission Parse(string template)
    {
        var parts = template.Split(':');
        var kind = parts.Length >= 2 ? $"{parts[0]}:{parts[1]}" : template;
        if (parts.Length is < 2 or > 3 || !Permission.Kinds.ContainsKey(kind))
        {
            throw new ArgumentException($"'{template}' is not a permission a route can require: use a kind of Permission.Kinds, then an optional :scope or :{{parameter}}", nameof(template));
        }
        if (parts.Length == 2)
        {
            return new RequiredPermission(kind, null, null);
        }
        var scope = parts[2];
        return scope.StartsWith('{') && scope.EndsWith('}')
            ? new RequiredPermission(kind, scope[1..^1], null)
            : new RequiredPermission(kind, null, scope);
    }

    /// <summary>The scope this request asks for: the route value, or the written scope.</summary>
    public string? ScopeOf(HttpContext context) =>
        ScopeParameter is null ? Scope : context.Request.RouteValues[ScopeParameter] as string;

    public string Describe(string? scope) => scope is null ? Kind : $"{Kind}:{scope}";
}

/// <summary>Marks a route anyone may call without a token (only <c>/healthz</c>).</summary>
internal sealed class NoTokenRequired
{
    public static NoTokenRequired Instance { get; } = new();
}

/// <summary>
/// Marks a write that is the platform's data, not a change to the platform (publishing a message, settling
/// one): it is not written to the audit log, which would otherwise take an entry and a commit per message.
/// Its refusals still are.
/// </summary>
internal sealed class NotAudited
{
    public static NotAudited Instance { get; } = new();
}

internal static class PermissionConventions
{
    /// <summary>Declares the permission a route needs (see <see cref="RequiredPermission"/>).</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(RequiredPermission.Parse(permission));

    public static TBuilder WithoutAudit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(NotAudited.Instance);

    public static TBuilder RequiresNoToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(NoTokenRequired.Instance);
}

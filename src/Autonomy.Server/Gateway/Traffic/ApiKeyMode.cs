namespace Autonomy.Server.Gateway.Traffic;

/// <summary>Whether a route asks for an API key (<c>api_key</c>).</summary>
public enum ApiKeyMode
{
    /// <summary>Keys are not looked at.</summary>
    None,

    /// <summary>A request may carry a key; when it does, the key must be valid for the route and its quota counts.</summary>
    Optional,

    /// <summary>Every request carries a key valid for the route (401 without one, 403 with one that is not).</summary>
    Required,
}

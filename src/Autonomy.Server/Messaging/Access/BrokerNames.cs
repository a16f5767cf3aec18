namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// Which names vhosts and broker users may have. A vhost's name is also the scope of the messaging
/// permissions (<c>messaging:read:orders</c>), so it follows the names of services and namespaces; a user's
/// name travels in an AMQP PLAIN response and an HTTP Basic header, so it holds no ':' and no space.
/// </summary>
public static class BrokerNames
{
    public const int MaxLength = 128;

    /// <summary>Null when <paramref name="name"/> can be a vhost's name, otherwise what is wrong with it.</summary>
    public static string? CheckVhost(string name) => IsName(name, allowAt: false)
        ? null
        : $"'{name}' is not a vhost name: use 1 to {MaxLength} letters, digits, '.', '_' and '-', starting with a letter or digit (a service's name is one)";

    /// <summary>Null when <paramref name="name"/> can be a broker user's name, otherwise what is wrong with it.</summary>
    public static string? CheckUser(string name) => IsName(name, allowAt: true)
        ? null
        : $"'{name}' is not a user name: use 1 to {MaxLength} letters, digits, '.', '_', '-' and '@', starting with a letter or digit";

    private static bool IsName(string name, bool allowAt) =>
        name.Length is > 0 and <= MaxLength && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' || (allowAt && c == '@'));
}

namespace Autonomy.Server.Data;

/// <summary>
/// Where the passwords Autonomy generates for databases are kept: each service's role, and the
/// superuser of a managed server. A password is on disk before it is used anywhere, so a crash
/// never leaves a role whose password nobody knows.
/// </summary>
public interface IDatabasePasswords
{
    /// <summary>The password kept under <paramref name="name"/>, or null.</summary>
    string? Find(string name);

    /// <summary>A new random password kept under <paramref name="name"/> (replacing any), durable when this returns.</summary>
    string Create(string name);

    void Remove(string name);
}

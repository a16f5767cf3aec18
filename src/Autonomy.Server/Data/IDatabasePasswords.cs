namespace Autonomy.Server.Data;

/// <summary>Whose password: a service's own role, or the superuser of the managed server a service runs.</summary>
public enum PasswordOwner
{
    ServiceRole,
    ServerSuperuser,
}

/// <summary>
/// Where the passwords Autonomy generates for databases are kept. A password is on disk before it
/// is used anywhere, so a crash never leaves a role whose password nobody knows.
/// </summary>
public interface IDatabasePasswords
{
    /// <summary>The password kept for <paramref name="service"/>, or null.</summary>
    string? Find(PasswordOwner owner, string service);

    /// <summary>A new random password kept for <paramref name="service"/> (replacing any), durable when this returns.</summary>
    string Create(PasswordOwner owner, string service);

    void Remove(PasswordOwner owner, string service);
}

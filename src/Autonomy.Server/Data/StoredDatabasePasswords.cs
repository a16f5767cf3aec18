using System.Text;
using Autonomy.Server.Secrets;

namespace Autonomy.Server.Data;

/// <summary>
/// The generated database passwords in the project's secret store, sealed under its master key like
/// every secret: <c>autonomy-db-password.&lt;service&gt;</c> for a service's role and
/// <c>autonomy-db-superuser.&lt;service&gt;</c> for a managed server's superuser (two prefixes, so that no
/// service name can make one the other's). The store is on disk (fsynced) before a password is used.
/// </summary>
internal sealed class StoredDatabasePasswords(Func<SecretStore> store) : IDatabasePasswords
{
    private const string Author = "autonomy (database)";

    public static string NameOf(PasswordOwner owner, string service) =>
        (owner == PasswordOwner.ServiceRole ? "autonomy-db-password." : "autonomy-db-superuser.") + service;

    public string? Find(PasswordOwner owner, string service)
    {
        try
        {
            return Encoding.UTF8.GetString(store().Read(NameOf(owner, service)));
        }
        catch (UnknownSecretException)
        {
            return null;
        }
    }

    public string Create(PasswordOwner owner, string service)
    {
        var password = GeneratedPassword.New();
        store().Set(NameOf(owner, service), Encoding.UTF8.GetBytes(password), Author);
        return password;
    }

    public void Remove(PasswordOwner owner, string service)
    {
        try
        {
            store().Remove(NameOf(owner, service));
        }
        catch (UnknownSecretException)
        {
        }
    }
}

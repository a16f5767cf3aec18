using System.Text;
using Autonomy.Server.Secrets;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>
/// Each service's RabbitMQ password in the project's secret store (<c>autonomy-rabbitmq-password.&lt;service&gt;</c>),
/// sealed under its master key and on disk before RabbitMQ is given it: the same password at every <c>up</c>,
/// and a new one only when none is kept.
/// </summary>
internal sealed class RabbitMqPasswords(Func<SecretStore> store)
{
    private const string Author = "autonomy (rabbitmq)";

    private const string Prefix = "autonomy-rabbitmq-password.";

    /// <summary>
    /// The secret's name; a service name too long for a secret's is replaced by a digest of it (stable, so the
    /// same password is found at the next <c>up</c>).
    /// </summary>
    public static string NameOf(string service)
    {
        var name = Prefix + service;
        return name.Length <= SecretNames.MaxNameLength
            ? name
            : Prefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(service)))[..(SecretNames.MaxNameLength - Prefix.Length)];
    }

    public string FindOrCreate(string service)
    {
        try
        {
            return Encoding.UTF8.GetString(store().Read(NameOf(service)));
        }
        catch (UnknownSecretException)
        {
            var password = Data.GeneratedPassword.New();
            store().Set(NameOf(service), Encoding.UTF8.GetBytes(password), Author);
            return password;
        }
    }
}

using Autonomy.Server.Messaging.RabbitMq;
using Autonomy.Server.Secrets;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>Where a service's RabbitMQ password is kept in the secret store.</summary>
public sealed class RabbitMqPasswordsTests
{
    [Fact]
    public void EachServiceHasAValidSecretNameEvenWhenItsNameIsLong()
    {
        Assert.Equal("autonomy-rabbitmq-password.orders", RabbitMqPasswords.NameOf("orders"));
        var longName = "a-service-whose-name-is-much-longer-than-usual-0123456789";
        var kept = RabbitMqPasswords.NameOf(longName);
        Assert.Null(SecretNames.Check(kept));
        Assert.Equal(kept, RabbitMqPasswords.NameOf(longName));
        Assert.NotEqual(kept, RabbitMqPasswords.NameOf(longName + "x"));
    }
}

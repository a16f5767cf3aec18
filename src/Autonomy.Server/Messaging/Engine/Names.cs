using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Checks of names (AMQP short strings) and the names the broker makes up.</summary>
internal static class Names
{
    public static void Check(string? name, string what)
    {
        if (name is null)
        {
            throw new BrokerException(ReplyCode.SyntaxError, $"{what} name is missing");
        }
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > 255)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, $"{what} name '{name[..32]}…' is {bytes} bytes; at most 255 are allowed");
        }
    }

    /// <summary>Routing keys are short strings too.</summary>
    public static void CheckRoutingKey(string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        if (Encoding.UTF8.GetByteCount(routingKey) > 255)
        {
            throw new BrokerException(ReplyCode.PreconditionFailed, "routing key is longer than 255 bytes");
        }
    }

    /// <summary>A server-named queue, as RabbitMQ makes them: "amq.gen-" and 22 characters of randomness.</summary>
    public static string GeneratedQueue() => "amq.gen-" + Random(16);

    /// <summary>A consumer tag for a consumer that did not bring one.</summary>
    public static string GeneratedConsumerTag() => "amq.ctag-" + Random(16);

    private static string Random(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

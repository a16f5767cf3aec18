using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// One AMQP 0-9-1 method with its arguments. Every method is a readonly struct, so the hot path (publish,
/// deliver, ack) can read and write them through generic calls without boxing.
/// </summary>
internal interface IAmqpMethod
{
    ushort ClassId { get; }

    ushort MethodId { get; }

    /// <summary>The name AMQP gives it, "basic.publish", as reply texts name a failing method.</summary>
    string Name { get; }

    /// <summary>Whether a content header and body frames follow the method frame.</summary>
    bool HasContent { get; }

    /// <summary>Writes the argument list (not the class and method ids), packing consecutive bits into octets.</summary>
    void WriteArguments(ref AmqpWriter writer);
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>confirm.select (85, 10).</summary>
internal readonly record struct ConfirmSelect(bool NoWait) : IAmqpMethod
{
    public const ushort Class = 85;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "confirm.select";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet((byte)(NoWait ? 1 : 0));
    }

    public static ConfirmSelect Read(ref AmqpReader reader)
    {
        var bits = reader.Octet();
        return new ConfirmSelect((bits & 1) != 0);
    }
}

/// <summary>confirm.select-ok (85, 11).</summary>
internal readonly record struct ConfirmSelectOk : IAmqpMethod
{
    public const ushort Class = 85;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "confirm.select-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>exchange.declare (40, 10).</summary>
internal readonly record struct ExchangeDeclare(string Exchange, string Type, bool Passive, bool Durable, bool AutoDelete, bool Internal, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.declare";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Exchange ?? "", "exchange.declare exchange");
        writer.ShortString(Type ?? "", "exchange.declare type");
        writer.Octet((byte)((Passive ? 1 : 0) | (Durable ? 2 : 0) | (AutoDelete ? 4 : 0) | (Internal ? 8 : 0) | (NoWait ? 16 : 0)));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static ExchangeDeclare Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var exchange = reader.ShortString();
        var typeValue = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new ExchangeDeclare(exchange, typeValue, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0, arguments);
    }
}

/// <summary>exchange.declare-ok (40, 11).</summary>
internal readonly record struct ExchangeDeclareOk : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.declare-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>exchange.delete (40, 20).</summary>
internal readonly record struct ExchangeDelete(string Exchange, bool IfUnused, bool NoWait) : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.delete";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Exchange ?? "", "exchange.delete exchange");
        writer.Octet((byte)((IfUnused ? 1 : 0) | (NoWait ? 2 : 0)));
    }

    public static ExchangeDelete Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var exchange = reader.ShortString();
        var bits = reader.Octet();
        return new ExchangeDelete(exchange, (bits & 1) != 0, (bits & 2) != 0);
    }
}

/// <summary>exchange.delete-ok (40, 21).</summary>
internal readonly record struct ExchangeDeleteOk : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.delete-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>exchange.bind (40, 30).</summary>
internal readonly record struct ExchangeBind(string Destination, string Source, string RoutingKey, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 30;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.bind";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Destination ?? "", "exchange.bind destination");
        writer.ShortString(Source ?? "", "exchange.bind source");
        writer.ShortString(RoutingKey ?? "", "exchange.bind routing-key");
        writer.Octet((byte)(NoWait ? 1 : 0));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static ExchangeBind Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var destination = reader.ShortString();
        var source = reader.ShortString();
        var routingKey = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new ExchangeBind(destination, source, routingKey, (bits & 1) != 0, arguments);
    }
}

/// <summary>exchange.bind-ok (40, 31).</summary>
internal readonly record struct ExchangeBindOk : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 31;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.bind-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>exchange.unbind (40, 40).</summary>
internal readonly record struct ExchangeUnbind(string Destination, string Source, string RoutingKey, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 40;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.unbind";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Destination ?? "", "exchange.unbind destination");
        writer.ShortString(Source ?? "", "exchange.unbind source");
        writer.ShortString(RoutingKey ?? "", "exchange.unbind routing-key");
        writer.Octet((byte)(NoWait ? 1 : 0));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static ExchangeUnbind Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var destination = reader.ShortString();
        var source = reader.ShortString();
        var routingKey = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new ExchangeUnbind(destination, source, routingKey, (bits & 1) != 0, arguments);
    }
}

/// <summary>exchange.unbind-ok (40, 51).</summary>
internal readonly record struct ExchangeUnbindOk : IAmqpMethod
{
    public const ushort Class = 40;
    public const ushort Method = 51;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "exchange.unbind-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>queue.declare (50, 10).</summary>
internal readonly record struct QueueDeclare(string Queue, bool Passive, bool Durable, bool Exclusive, bool AutoDelete, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.declare";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "queue.declare queue");
        writer.Octet((byte)((Passive ? 1 : 0) | (Durable ? 2 : 0) | (Exclusive ? 4 : 0) | (AutoDelete ? 8 : 0) | (NoWait ? 16 : 0)));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static QueueDeclare Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new QueueDeclare(queue, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0, arguments);
    }
}

/// <summary>queue.declare-ok (50, 11).</summary>
internal readonly record struct QueueDeclareOk(string Queue, uint MessageCount, uint ConsumerCount) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.declare-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(Queue ?? "", "queue.declare-ok queue");
        writer.UInt32(MessageCount);
        writer.UInt32(ConsumerCount);
    }

    public static QueueDeclareOk Read(ref AmqpReader reader)
    {
        var queue = reader.ShortString();
        var messageCount = reader.UInt32();
        var consumerCount = reader.UInt32();
        return new QueueDeclareOk(queue, messageCount, consumerCount);
    }
}

/// <summary>queue.bind (50, 20).</summary>
internal readonly record struct QueueBind(string Queue, string Exchange, string RoutingKey, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.bind";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "queue.bind queue");
        writer.ShortString(Exchange ?? "", "queue.bind exchange");
        writer.ShortString(RoutingKey ?? "", "queue.bind routing-key");
        writer.Octet((byte)(NoWait ? 1 : 0));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static QueueBind Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new QueueBind(queue, exchange, routingKey, (bits & 1) != 0, arguments);
    }
}

/// <summary>queue.bind-ok (50, 21).</summary>
internal readonly record struct QueueBindOk : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.bind-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>queue.purge (50, 30).</summary>
internal readonly record struct QueuePurge(string Queue, bool NoWait) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 30;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.purge";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "queue.purge queue");
        writer.Octet((byte)(NoWait ? 1 : 0));
    }

    public static QueuePurge Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var bits = reader.Octet();
        return new QueuePurge(queue, (bits & 1) != 0);
    }
}

/// <summary>queue.purge-ok (50, 31).</summary>
internal readonly record struct QueuePurgeOk(uint MessageCount) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 31;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.purge-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt32(MessageCount);
    }

    public static QueuePurgeOk Read(ref AmqpReader reader)
    {
        var messageCount = reader.UInt32();
        return new QueuePurgeOk(messageCount);
    }
}

/// <summary>queue.delete (50, 40).</summary>
internal readonly record struct QueueDelete(string Queue, bool IfUnused, bool IfEmpty, bool NoWait) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 40;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.delete";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "queue.delete queue");
        writer.Octet((byte)((IfUnused ? 1 : 0) | (IfEmpty ? 2 : 0) | (NoWait ? 4 : 0)));
    }

    public static QueueDelete Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var bits = reader.Octet();
        return new QueueDelete(queue, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
    }
}

/// <summary>queue.delete-ok (50, 41).</summary>
internal readonly record struct QueueDeleteOk(uint MessageCount) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 41;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.delete-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt32(MessageCount);
    }

    public static QueueDeleteOk Read(ref AmqpReader reader)
    {
        var messageCount = reader.UInt32();
        return new QueueDeleteOk(messageCount);
    }
}

/// <summary>queue.unbind (50, 50).</summary>
internal readonly record struct QueueUnbind(string Queue, string Exchange, string RoutingKey, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 50;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.unbind";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "queue.unbind queue");
        writer.ShortString(Exchange ?? "", "queue.unbind exchange");
        writer.ShortString(RoutingKey ?? "", "queue.unbind routing-key");
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static QueueUnbind Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new QueueUnbind(queue, exchange, routingKey, arguments);
    }
}

/// <summary>queue.unbind-ok (50, 51).</summary>
internal readonly record struct QueueUnbindOk : IAmqpMethod
{
    public const ushort Class = 50;
    public const ushort Method = 51;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "queue.unbind-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

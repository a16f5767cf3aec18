using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>basic.qos (60, 10).</summary>
internal readonly record struct BasicQos(uint PrefetchSize, ushort PrefetchCount, bool Global) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.qos";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt32(PrefetchSize);
        writer.UInt16(PrefetchCount);
        writer.Octet((byte)(Global ? 1 : 0));
    }

    public static BasicQos Read(ref AmqpReader reader)
    {
        var prefetchSize = reader.UInt32();
        var prefetchCount = reader.UInt16();
        var bits = reader.Octet();
        return new BasicQos(prefetchSize, prefetchCount, (bits & 1) != 0);
    }
}

/// <summary>basic.qos-ok (60, 11).</summary>
internal readonly record struct BasicQosOk : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.qos-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>basic.consume (60, 20).</summary>
internal readonly record struct BasicConsume(string Queue, string ConsumerTag, bool NoLocal, bool NoAck, bool Exclusive, bool NoWait, FieldTable Arguments) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.consume";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "basic.consume queue");
        writer.ShortString(ConsumerTag ?? "", "basic.consume consumer-tag");
        writer.Octet((byte)((NoLocal ? 1 : 0) | (NoAck ? 2 : 0) | (Exclusive ? 4 : 0) | (NoWait ? 8 : 0)));
        MethodArguments.WriteTable(ref writer, Arguments);
    }

    public static BasicConsume Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var consumerTag = reader.ShortString();
        var bits = reader.Octet();
        var arguments = FieldTableCodec.ReadTable(ref reader, 0);
        return new BasicConsume(queue, consumerTag, (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, arguments);
    }
}

/// <summary>basic.consume-ok (60, 21).</summary>
internal readonly record struct BasicConsumeOk(string ConsumerTag) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.consume-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(ConsumerTag ?? "", "basic.consume-ok consumer-tag");
    }

    public static BasicConsumeOk Read(ref AmqpReader reader)
    {
        var consumerTag = reader.ShortString();
        return new BasicConsumeOk(consumerTag);
    }
}

/// <summary>basic.cancel (60, 30).</summary>
internal readonly record struct BasicCancel(string ConsumerTag, bool NoWait) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 30;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.cancel";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(ConsumerTag ?? "", "basic.cancel consumer-tag");
        writer.Octet((byte)(NoWait ? 1 : 0));
    }

    public static BasicCancel Read(ref AmqpReader reader)
    {
        var consumerTag = reader.ShortString();
        var bits = reader.Octet();
        return new BasicCancel(consumerTag, (bits & 1) != 0);
    }
}

/// <summary>basic.cancel-ok (60, 31).</summary>
internal readonly record struct BasicCancelOk(string ConsumerTag) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 31;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.cancel-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(ConsumerTag ?? "", "basic.cancel-ok consumer-tag");
    }

    public static BasicCancelOk Read(ref AmqpReader reader)
    {
        var consumerTag = reader.ShortString();
        return new BasicCancelOk(consumerTag);
    }
}

/// <summary>basic.publish (60, 40) carrying content.</summary>
internal readonly record struct BasicPublish(string Exchange, string RoutingKey, bool Mandatory, bool Immediate) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 40;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.publish";
    public bool HasContent => true;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Exchange ?? "", "basic.publish exchange");
        writer.ShortString(RoutingKey ?? "", "basic.publish routing-key");
        writer.Octet((byte)((Mandatory ? 1 : 0) | (Immediate ? 2 : 0)));
    }

    public static BasicPublish Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        var bits = reader.Octet();
        return new BasicPublish(exchange, routingKey, (bits & 1) != 0, (bits & 2) != 0);
    }
}

/// <summary>basic.return (60, 50) carrying content.</summary>
internal readonly record struct BasicReturn(ushort ReplyCode, string ReplyText, string Exchange, string RoutingKey) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 50;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.return";
    public bool HasContent => true;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(ReplyCode);
        writer.ShortString(ReplyText ?? "", "basic.return reply-text");
        writer.ShortString(Exchange ?? "", "basic.return exchange");
        writer.ShortString(RoutingKey ?? "", "basic.return routing-key");
    }

    public static BasicReturn Read(ref AmqpReader reader)
    {
        var replyCode = reader.UInt16();
        var replyText = reader.ShortString();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        return new BasicReturn(replyCode, replyText, exchange, routingKey);
    }
}

/// <summary>basic.deliver (60, 60) carrying content.</summary>
internal readonly record struct BasicDeliver(string ConsumerTag, ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 60;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.deliver";
    public bool HasContent => true;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(ConsumerTag ?? "", "basic.deliver consumer-tag");
        writer.UInt64(DeliveryTag);
        writer.Octet((byte)(Redelivered ? 1 : 0));
        writer.ShortString(Exchange ?? "", "basic.deliver exchange");
        writer.ShortString(RoutingKey ?? "", "basic.deliver routing-key");
    }

    public static BasicDeliver Read(ref AmqpReader reader)
    {
        var consumerTag = reader.ShortString();
        var deliveryTag = reader.UInt64();
        var bits = reader.Octet();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        return new BasicDeliver(consumerTag, deliveryTag, (bits & 1) != 0, exchange, routingKey);
    }
}

/// <summary>basic.get (60, 70).</summary>
internal readonly record struct BasicGet(string Queue, bool NoAck) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 70;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.get";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(0); // ticket: reserved
        writer.ShortString(Queue ?? "", "basic.get queue");
        writer.Octet((byte)(NoAck ? 1 : 0));
    }

    public static BasicGet Read(ref AmqpReader reader)
    {
        reader.UInt16();
        var queue = reader.ShortString();
        var bits = reader.Octet();
        return new BasicGet(queue, (bits & 1) != 0);
    }
}

/// <summary>basic.get-ok (60, 71) carrying content.</summary>
internal readonly record struct BasicGetOk(ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey, uint MessageCount) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 71;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.get-ok";
    public bool HasContent => true;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt64(DeliveryTag);
        writer.Octet((byte)(Redelivered ? 1 : 0));
        writer.ShortString(Exchange ?? "", "basic.get-ok exchange");
        writer.ShortString(RoutingKey ?? "", "basic.get-ok routing-key");
        writer.UInt32(MessageCount);
    }

    public static BasicGetOk Read(ref AmqpReader reader)
    {
        var deliveryTag = reader.UInt64();
        var bits = reader.Octet();
        var exchange = reader.ShortString();
        var routingKey = reader.ShortString();
        var messageCount = reader.UInt32();
        return new BasicGetOk(deliveryTag, (bits & 1) != 0, exchange, routingKey, messageCount);
    }
}

/// <summary>basic.get-empty (60, 72).</summary>
internal readonly record struct BasicGetEmpty : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 72;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.get-empty";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet(0); // cluster-id: reserved, empty
    }

    public static BasicGetEmpty Read(ref AmqpReader reader)
    {
        reader.Take(reader.Octet());
        return new BasicGetEmpty();
    }
}

/// <summary>basic.ack (60, 80).</summary>
internal readonly record struct BasicAck(ulong DeliveryTag, bool Multiple) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 80;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.ack";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt64(DeliveryTag);
        writer.Octet((byte)(Multiple ? 1 : 0));
    }

    public static BasicAck Read(ref AmqpReader reader)
    {
        var deliveryTag = reader.UInt64();
        var bits = reader.Octet();
        return new BasicAck(deliveryTag, (bits & 1) != 0);
    }
}

/// <summary>basic.reject (60, 90).</summary>
internal readonly record struct BasicReject(ulong DeliveryTag, bool Requeue) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 90;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.reject";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt64(DeliveryTag);
        writer.Octet((byte)(Requeue ? 1 : 0));
    }

    public static BasicReject Read(ref AmqpReader reader)
    {
        var deliveryTag = reader.UInt64();
        var bits = reader.Octet();
        return new BasicReject(deliveryTag, (bits & 1) != 0);
    }
}

/// <summary>basic.recover-async (60, 100).</summary>
internal readonly record struct BasicRecoverAsync(bool Requeue) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 100;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.recover-async";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet((byte)(Requeue ? 1 : 0));
    }

    public static BasicRecoverAsync Read(ref AmqpReader reader)
    {
        var bits = reader.Octet();
        return new BasicRecoverAsync((bits & 1) != 0);
    }
}

/// <summary>basic.recover (60, 110).</summary>
internal readonly record struct BasicRecover(bool Requeue) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 110;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.recover";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet((byte)(Requeue ? 1 : 0));
    }

    public static BasicRecover Read(ref AmqpReader reader)
    {
        var bits = reader.Octet();
        return new BasicRecover((bits & 1) != 0);
    }
}

/// <summary>basic.recover-ok (60, 111).</summary>
internal readonly record struct BasicRecoverOk : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 111;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.recover-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>basic.nack (60, 120).</summary>
internal readonly record struct BasicNack(ulong DeliveryTag, bool Multiple, bool Requeue) : IAmqpMethod
{
    public const ushort Class = 60;
    public const ushort Method = 120;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "basic.nack";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt64(DeliveryTag);
        writer.Octet((byte)((Multiple ? 1 : 0) | (Requeue ? 2 : 0)));
    }

    public static BasicNack Read(ref AmqpReader reader)
    {
        var deliveryTag = reader.UInt64();
        var bits = reader.Octet();
        return new BasicNack(deliveryTag, (bits & 1) != 0, (bits & 2) != 0);
    }
}

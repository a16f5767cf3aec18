using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>channel.open (20, 10).</summary>
internal readonly record struct ChannelOpen : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.open";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet(0); // out-of-band: reserved, empty
    }

    public static ChannelOpen Read(ref AmqpReader reader)
    {
        reader.Take(reader.Octet());
        return new ChannelOpen();
    }
}

/// <summary>channel.open-ok (20, 11).</summary>
internal readonly record struct ChannelOpenOk : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.open-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt32(0); // channel-id: reserved, empty
    }

    public static ChannelOpenOk Read(ref AmqpReader reader)
    {
        MethodArguments.SkipLongString(ref reader);
        return new ChannelOpenOk();
    }
}

/// <summary>channel.flow (20, 20).</summary>
internal readonly record struct ChannelFlow(bool Active) : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.flow";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet((byte)(Active ? 1 : 0));
    }

    public static ChannelFlow Read(ref AmqpReader reader)
    {
        var bits = reader.Octet();
        return new ChannelFlow((bits & 1) != 0);
    }
}

/// <summary>channel.flow-ok (20, 21).</summary>
internal readonly record struct ChannelFlowOk(bool Active) : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.flow-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet((byte)(Active ? 1 : 0));
    }

    public static ChannelFlowOk Read(ref AmqpReader reader)
    {
        var bits = reader.Octet();
        return new ChannelFlowOk((bits & 1) != 0);
    }
}

/// <summary>channel.close (20, 40).</summary>
internal readonly record struct ChannelClose(ushort ReplyCode, string ReplyText, ushort FailingClassId, ushort FailingMethodId) : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 40;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.close";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(ReplyCode);
        writer.ShortString(ReplyText ?? "", "channel.close reply-text");
        writer.UInt16(FailingClassId);
        writer.UInt16(FailingMethodId);
    }

    public static ChannelClose Read(ref AmqpReader reader)
    {
        var replyCode = reader.UInt16();
        var replyText = reader.ShortString();
        var failingClassId = reader.UInt16();
        var failingMethodId = reader.UInt16();
        return new ChannelClose(replyCode, replyText, failingClassId, failingMethodId);
    }
}

/// <summary>channel.close-ok (20, 41).</summary>
internal readonly record struct ChannelCloseOk : IAmqpMethod
{
    public const ushort Class = 20;
    public const ushort Method = 41;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "channel.close-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>connection.start (10, 10).</summary>
internal readonly record struct ConnectionStart(byte VersionMajor, byte VersionMinor, FieldTable ServerProperties, string Mechanisms, string Locales) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.start";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet(VersionMajor);
        writer.Octet(VersionMinor);
        MethodArguments.WriteTable(ref writer, ServerProperties);
        writer.LongString(Mechanisms ?? "");
        writer.LongString(Locales ?? "");
    }

    public static ConnectionStart Read(ref AmqpReader reader)
    {
        var versionMajor = reader.Octet();
        var versionMinor = reader.Octet();
        var serverProperties = FieldTableCodec.ReadTable(ref reader, 0);
        var mechanisms = MethodArguments.LongString(ref reader);
        var locales = MethodArguments.LongString(ref reader);
        return new ConnectionStart(versionMajor, versionMinor, serverProperties, mechanisms, locales);
    }
}

/// <summary>connection.start-ok (10, 11).</summary>
internal readonly record struct ConnectionStartOk(FieldTable ClientProperties, string Mechanism, byte[] Response, string Locale) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.start-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        MethodArguments.WriteTable(ref writer, ClientProperties);
        writer.ShortString(Mechanism ?? "", "connection.start-ok mechanism");
        MethodArguments.WriteLongBytes(ref writer, Response);
        writer.ShortString(Locale ?? "", "connection.start-ok locale");
    }

    public static ConnectionStartOk Read(ref AmqpReader reader)
    {
        var clientProperties = FieldTableCodec.ReadTable(ref reader, 0);
        var mechanism = reader.ShortString();
        var response = MethodArguments.LongBytes(ref reader);
        var locale = reader.ShortString();
        return new ConnectionStartOk(clientProperties, mechanism, response, locale);
    }
}

/// <summary>connection.secure (10, 20).</summary>
internal readonly record struct ConnectionSecure(byte[] Challenge) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.secure";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        MethodArguments.WriteLongBytes(ref writer, Challenge);
    }

    public static ConnectionSecure Read(ref AmqpReader reader)
    {
        var challenge = MethodArguments.LongBytes(ref reader);
        return new ConnectionSecure(challenge);
    }
}

/// <summary>connection.secure-ok (10, 21).</summary>
internal readonly record struct ConnectionSecureOk(byte[] Response) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.secure-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        MethodArguments.WriteLongBytes(ref writer, Response);
    }

    public static ConnectionSecureOk Read(ref AmqpReader reader)
    {
        var response = MethodArguments.LongBytes(ref reader);
        return new ConnectionSecureOk(response);
    }
}

/// <summary>connection.tune (10, 30).</summary>
internal readonly record struct ConnectionTune(ushort ChannelMax, uint FrameMax, ushort Heartbeat) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 30;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.tune";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(ChannelMax);
        writer.UInt32(FrameMax);
        writer.UInt16(Heartbeat);
    }

    public static ConnectionTune Read(ref AmqpReader reader)
    {
        var channelMax = reader.UInt16();
        var frameMax = reader.UInt32();
        var heartbeat = reader.UInt16();
        return new ConnectionTune(channelMax, frameMax, heartbeat);
    }
}

/// <summary>connection.tune-ok (10, 31).</summary>
internal readonly record struct ConnectionTuneOk(ushort ChannelMax, uint FrameMax, ushort Heartbeat) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 31;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.tune-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(ChannelMax);
        writer.UInt32(FrameMax);
        writer.UInt16(Heartbeat);
    }

    public static ConnectionTuneOk Read(ref AmqpReader reader)
    {
        var channelMax = reader.UInt16();
        var frameMax = reader.UInt32();
        var heartbeat = reader.UInt16();
        return new ConnectionTuneOk(channelMax, frameMax, heartbeat);
    }
}

/// <summary>connection.open (10, 40).</summary>
internal readonly record struct ConnectionOpen(string VirtualHost) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 40;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.open";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(VirtualHost ?? "", "connection.open virtual-host");
        writer.Octet(0); // capabilities: reserved, empty
        writer.Octet(0); // insist: reserved
    }

    public static ConnectionOpen Read(ref AmqpReader reader)
    {
        var virtualHost = reader.ShortString();
        reader.Take(reader.Octet());
        reader.Octet();
        return new ConnectionOpen(virtualHost);
    }
}

/// <summary>connection.open-ok (10, 41).</summary>
internal readonly record struct ConnectionOpenOk : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 41;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.open-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.Octet(0); // known-hosts: reserved, empty
    }

    public static ConnectionOpenOk Read(ref AmqpReader reader)
    {
        reader.Take(reader.Octet());
        return new ConnectionOpenOk();
    }
}

/// <summary>connection.close (10, 50).</summary>
internal readonly record struct ConnectionClose(ushort ReplyCode, string ReplyText, ushort FailingClassId, ushort FailingMethodId) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 50;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.close";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.UInt16(ReplyCode);
        writer.ShortString(ReplyText ?? "", "connection.close reply-text");
        writer.UInt16(FailingClassId);
        writer.UInt16(FailingMethodId);
    }

    public static ConnectionClose Read(ref AmqpReader reader)
    {
        var replyCode = reader.UInt16();
        var replyText = reader.ShortString();
        var failingClassId = reader.UInt16();
        var failingMethodId = reader.UInt16();
        return new ConnectionClose(replyCode, replyText, failingClassId, failingMethodId);
    }
}

/// <summary>connection.close-ok (10, 51).</summary>
internal readonly record struct ConnectionCloseOk : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 51;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.close-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>connection.blocked (10, 60).</summary>
internal readonly record struct ConnectionBlocked(string Reason) : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 60;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.blocked";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
        writer.ShortString(Reason ?? "", "connection.blocked reason");
    }

    public static ConnectionBlocked Read(ref AmqpReader reader)
    {
        var reason = reader.ShortString();
        return new ConnectionBlocked(reason);
    }
}

/// <summary>connection.unblocked (10, 61).</summary>
internal readonly record struct ConnectionUnblocked : IAmqpMethod
{
    public const ushort Class = 10;
    public const ushort Method = 61;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "connection.unblocked";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

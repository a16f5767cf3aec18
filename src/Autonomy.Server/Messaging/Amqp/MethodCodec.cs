using System.Buffers;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// Method frame payloads: a class id, a method id, then the method's arguments. Whatever the input, decoding
/// returns a method or throws an <see cref="AmqpFrameException"/> carrying the reply code to close with.
/// </summary>
internal static class MethodCodec
{
    private const int IdsSize = 4;

    public static IAmqpMethod Decode(ReadOnlySpan<byte> payload)
    {
        var reader = new AmqpReader(payload);
        var (classId, methodId) = ReadIds(ref reader);
        IAmqpMethod? method;
        try
        {
            method = MethodTable.Read(classId, methodId, ref reader);
        }
        catch (FormatException e)
        {
            throw Malformed(classId, methodId, e.Message);
        }
        if (method is null)
        {
            var className = MethodTable.ClassName(classId);
            throw new AmqpFrameException(ReplyCode.NotImplemented, className is null
                ? $"unknown class {classId} (method {methodId})"
                : $"unknown method {methodId} in class {className} ({classId})", classId, methodId);
        }
        return reader.AtEnd ? method : throw Malformed(classId, methodId, $"{payload.Length - reader.Position} bytes follow the last argument");
    }

    /// <summary>Decodes a payload that may lie across several buffer segments.</summary>
    public static IAmqpMethod Decode(in ReadOnlySequence<byte> payload) => SegmentedPayload.Decode(payload, Decode);

    /// <summary>
    /// The class and method ids at the front of a method payload, so a hot path can read the arguments of the
    /// method it expects (<c>BasicPublish.Read</c>) without going through an interface.
    /// </summary>
    public static (ushort ClassId, ushort MethodId) PeekIds(ReadOnlySpan<byte> payload)
    {
        var reader = new AmqpReader(payload);
        return ReadIds(ref reader);
    }

    /// <summary>Reads one expected method's arguments without boxing; the payload's ids must already be checked.</summary>
    public static T DecodeArguments<T>(ReadOnlySpan<byte> payload, ReadArguments<T> read) where T : struct, IAmqpMethod
    {
        var reader = new AmqpReader(payload[IdsSize..]);
        T method;
        try
        {
            method = read(ref reader);
        }
        catch (FormatException e)
        {
            throw Malformed(default(T).ClassId, default(T).MethodId, e.Message);
        }
        return reader.AtEnd ? method : throw Malformed(method.ClassId, method.MethodId, "bytes follow the last argument");
    }

    public delegate T ReadArguments<T>(ref AmqpReader reader);

    /// <summary>Writes the method's payload (ids and arguments); generic so that a struct method is not boxed.</summary>
    public static void Encode<T>(in T method, IBufferWriter<byte> destination) where T : IAmqpMethod
    {
        var writer = new AmqpWriter(destination);
        writer.UInt16(method.ClassId);
        writer.UInt16(method.MethodId);
        method.WriteArguments(ref writer);
    }

    public static byte[] Encode<T>(in T method) where T : IAmqpMethod
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        Encode(method, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static (ushort, ushort) ReadIds(ref AmqpReader reader)
    {
        try
        {
            return (reader.UInt16(), reader.UInt16());
        }
        catch (FormatException)
        {
            throw new AmqpFrameException(ReplyCode.FrameError, "method frame too short to hold a class and method id");
        }
    }

    private static AmqpFrameException Malformed(ushort classId, ushort methodId, string detail)
    {
        var name = MethodTable.ClassName(classId) is { } className ? $"{className} method {methodId}" : $"class {classId} method {methodId}";
        return new AmqpFrameException(ReplyCode.SyntaxError, $"cannot decode the arguments of {name}: {detail}", classId, methodId);
    }
}

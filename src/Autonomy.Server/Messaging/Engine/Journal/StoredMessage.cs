using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A message as its log record holds it: the header, then the encoded properties and the body as slices of the
/// record's own bytes (no copies). A struct, so that storing and delivering a message costs no object beyond its
/// record; the properties are decoded only by whoever asks for them.
/// </summary>
internal readonly struct StoredMessage
{
    private StoredMessage(MessageHeader header, ReadOnlyMemory<byte> encodedProperties, ReadOnlyMemory<byte> body, int recordSize)
    {
        Header = header;
        EncodedProperties = encodedProperties;
        Body = body;
        RecordSize = recordSize;
    }

    public MessageHeader Header { get; }

    public ReadOnlyMemory<byte> EncodedProperties { get; }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Bytes the record takes in memory (what the body cache counts).</summary>
    public int RecordSize { get; }

    /// <summary>Decodes the properties (each call decodes again: keep the result).</summary>
    public MessageProperties DecodeProperties() => PropertiesCodec.Decode(EncodedProperties.Span);

    /// <summary>A message read back from its record.</summary>
    public static StoredMessage FromRecord(byte[] record) => Read(record, null);

    /// <summary>A message built at publish, from the record just written for it: the header is taken as it is rather than read again.</summary>
    public static StoredMessage FromRecord(byte[] record, in MessageHeader header) => Read(record, header);

    private static StoredMessage Read(byte[] record, MessageHeader? known)
    {
        var reader = new RecordReader(record);
        var kind = (RecordKind)reader.Byte();
        if (kind == RecordKind.Transfer)
        {
            reader.SkipName();
            reader.Int64();
            reader.Int64();
        }
        else if (kind != RecordKind.Message)
        {
            throw new InvalidDataException($"a broker log record of kind {kind} where a message was expected");
        }
        MessageHeader header;
        if (known is { } given)
        {
            reader.SkipMessageHeader();
            header = given;
        }
        else
        {
            header = reader.MessageHeader(null);
        }
        var propertiesLength = reader.Int32();
        var propertiesStart = reader.Position;
        reader.Take(propertiesLength);
        var memory = record.AsMemory();
        return new StoredMessage(header, memory.Slice(propertiesStart, propertiesLength), memory[reader.Position..], record.Length);
    }
}

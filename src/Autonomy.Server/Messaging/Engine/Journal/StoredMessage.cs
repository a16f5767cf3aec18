using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A message as its log record holds it: the header, then the encoded properties and the body as slices of the
/// record's own bytes (no copies). The properties are decoded the first time someone asks for them.
/// </summary>
internal sealed class StoredMessage
{
    private MessageProperties? _properties;

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

    public MessageProperties Properties => _properties ??= PropertiesCodec.Decode(EncodedProperties.Span);

    /// <summary>A message read back from its record.</summary>
    public static StoredMessage FromRecord(byte[] record) => Read(record, null, null);

    /// <summary>
    /// A message built at publish, from the record just written for it: the header and the properties object the
    /// publisher gave, when there is one, are taken as they are rather than decoded again from the record.
    /// </summary>
    public static StoredMessage FromRecord(byte[] record, in MessageHeader header, MessageProperties? known) =>
        Read(record, header, known);

    private static StoredMessage Read(byte[] record, MessageHeader? known, MessageProperties? properties)
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
        return new StoredMessage(header, memory.Slice(propertiesStart, propertiesLength), memory[reader.Position..], record.Length)
        {
            _properties = properties,
        };
    }

    /// <summary>The decoded properties when something has already decoded or given them, else null (nothing is decoded).</summary>
    public MessageProperties? DecodedProperties => _properties;
}

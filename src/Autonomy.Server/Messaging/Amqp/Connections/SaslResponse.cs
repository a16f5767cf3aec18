using System.Buffers.Binary;
using System.Text;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>The user and password of a start-ok response, for the two mechanisms offered: PLAIN and AMQPLAIN.</summary>
internal static class SaslResponse
{
    public const string Mechanisms = "PLAIN AMQPLAIN";

    /// <summary>False when the mechanism is not one offered; a malformed response is a SYNTAX_ERROR.</summary>
    public static bool TryRead(string mechanism, byte[] response, out string user, out string password)
    {
        switch (mechanism)
        {
            case "PLAIN":
                (user, password) = Plain(response);
                return true;
            case "AMQPLAIN":
                (user, password) = AmqPlain(response);
                return true;
            default:
                user = password = "";
                return false;
        }
    }

    /// <summary>RFC 4616: [authzid] NUL authcid NUL passwd.</summary>
    private static (string, string) Plain(byte[] response)
    {
        var span = response.AsSpan();
        var first = span.IndexOf((byte)0);
        var second = first < 0 ? -1 : span[(first + 1)..].IndexOf((byte)0);
        if (second < 0 || span[(first + 1 + second + 1)..].Contains((byte)0))
        {
            throw Invalid("PLAIN", "it is not [authzid] NUL user NUL password");
        }
        var user = span.Slice(first + 1, second);
        var password = span[(first + 1 + second + 1)..];
        return (Text(user, "PLAIN"), Text(password, "PLAIN"));
    }

    /// <summary>A field table's contents without its length prefix, with LOGIN and PASSWORD (as RabbitMQ and php-amqplib send it).</summary>
    private static (string, string) AmqPlain(byte[] response)
    {
        var framed = new byte[response.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)response.Length);
        response.CopyTo(framed, 4);
        FieldTable table;
        try
        {
            table = FieldTableCodec.Read(framed, out _);
        }
        catch (FormatException error)
        {
            throw Invalid("AMQPLAIN", error.Message);
        }
        return (Value(table, "LOGIN"), Value(table, "PASSWORD"));

        static string Value(FieldTable table, string key) => table[key] switch
        {
            string text => text,
            byte[] bytes => Text(bytes, "AMQPLAIN"),
            _ => throw Invalid("AMQPLAIN", $"it has no {key} string"),
        };
    }

    private static string Text(ReadOnlySpan<byte> octets, string mechanism)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(octets);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(mechanism, "the user or password is not UTF-8");
        }
    }

    private static AmqpException Invalid(string mechanism, string why) =>
        AmqpException.Of(ReplyCode.SyntaxError, $"authentication mechanism {mechanism}: response invalid: {why}", ConnectionStartOk.Class, ConnectionStartOk.Method);
}

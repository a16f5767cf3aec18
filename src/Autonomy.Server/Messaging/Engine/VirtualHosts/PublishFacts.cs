using System.Globalization;
using System.Text;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// What the broker acts on when it stores a message, read once from its properties: durability, priority, the
/// per-message TTL (expiration, -1 for none), the x-delay header and the message id (for de-duplication).
/// </summary>
internal readonly record struct PublishFacts(bool Persistent, byte Priority, long ExpiresAfter, long? Delay, string? MessageId)
{
    /// <summary>
    /// Reads the facts; <paramref name="headers"/> are the decoded headers when there are any. The message id is
    /// read only when <paramref name="needsMessageId"/> (a target de-duplicates), so that it costs no string otherwise.
    /// </summary>
    public static PublishFacts Read(in BasicPropertiesView view, FieldTable? headers, bool needsMessageId = true) =>
        new(view.Persistent, view.Priority ?? 0, ExpirationOf(view), DelayOf(headers), needsMessageId ? view.MessageIdText : null);

    /// <summary>The facts of properties the broker built itself (dead-lettering).</summary>
    public static PublishFacts Read(ReadOnlySpan<byte> encodedProperties, FieldTable? headers) =>
        Read(PropertiesCodec.Peek(encodedProperties), headers);

    /// <summary>The expiration property: a whole number of milliseconds as text, or -1 when there is none.</summary>
    private static long ExpirationOf(in BasicPropertiesView view)
    {
        if (!view.HasExpiration)
        {
            return -1;
        }
        var text = view.Expiration;
        long ms = 0;
        var valid = !text.IsEmpty;
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'9' || ms > (long.MaxValue - 9) / 10)
            {
                valid = false;
                break;
            }
            ms = ms * 10 + (c - '0');
        }
        return valid ? ms
            : throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid expiration '{Encoding.UTF8.GetString(text)}': expected a whole number of milliseconds");
    }

    /// <summary>The x-delay header in milliseconds (an integer, or digits as text), if any.</summary>
    private static long? DelayOf(FieldTable? headers)
    {
        if (headers is null || !headers.TryGetValue(QueueArguments.DelayHeader, out var value) || value is null)
        {
            return null;
        }
        if (FieldValues.TryGetInteger(value, out var ms))
        {
            return Math.Max(0, ms);
        }
        return FieldValues.TryGetString(value, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ms)
            ? Math.Max(0, ms)
            : throw new BrokerException(ReplyCode.PreconditionFailed,
                $"invalid {QueueArguments.DelayHeader} header '{FieldValues.Describe(value)}': expected a whole number of milliseconds");
    }
}

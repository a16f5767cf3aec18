using System.Text;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>Reply texts travel as short strings: past 255 octets, RabbitMQ keeps 252 and appends "...".</summary>
internal static class AmqpReplyText
{
    private const int MaxOctets = 255;

    public static string Fit(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= MaxOctets)
        {
            return text;
        }
        var builder = new StringBuilder();
        var octets = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (octets + rune.Utf8SequenceLength > MaxOctets - 3)
            {
                break;
            }
            octets += rune.Utf8SequenceLength;
            builder.Append(rune.ToString());
        }
        return builder.Append("...").ToString();
    }
}

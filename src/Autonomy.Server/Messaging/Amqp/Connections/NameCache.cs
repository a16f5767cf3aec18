using System.Text;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// The exchange names and routing keys a connection publishes with, kept as strings: a publisher repeats a few of
/// them, so a publish finds its strings here instead of allocating two new ones. Small and per connection (one
/// reader uses it), replaced round-robin when full.
/// </summary>
internal sealed class NameCache
{
    private const int Size = 16;
    private readonly byte[][] _keys = new byte[Size][];
    private readonly string[] _values = new string[Size];
    private int _count;
    private int _next;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }
        for (var i = 0; i < _count; i++)
        {
            if (utf8.SequenceEqual(_keys[i]))
            {
                return _values[i];
            }
        }
        var value = Encoding.UTF8.GetString(utf8);
        _keys[_next] = utf8.ToArray();
        _values[_next] = value;
        _next = (_next + 1) % Size;
        _count = Math.Min(_count + 1, Size);
        return value;
    }
}

using System.Buffers;
using System.Text;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// Cuts a child's output into lines as it arrives: bytes are read into <see cref="FreeSpace"/>, lines come out of
/// <see cref="TryTakeLine"/>. A line ends at <c>\n</c> (a <c>\r</c> before it is dropped); one longer than
/// <see cref="MaxLineBytes"/> comes out in pieces, so a program that never prints a newline cannot grow memory without
/// bound. Bytes that are not UTF-8 become U+FFFD: a service's output is shown, never rejected.
/// </summary>
internal sealed class LineSplitter : IDisposable
{
    public const int MaxLineBytes = 64 * 1024;

    private static readonly UTF8Encoding Lenient = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    // Pending bytes never reach MaxLineBytes between reads (a full line's worth is cut at once), so twice that leaves
    // every read at least MaxLineBytes of room.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(2 * MaxLineBytes);
    private int _start;
    private int _end;

    // How far past _start is known to hold no '\n', so a long line arriving in small reads is not searched again.
    private int _searched;

    /// <summary>Where the next read goes; pass the number of bytes read to <see cref="Advance"/>.</summary>
    public Memory<byte> FreeSpace
    {
        get
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            return _buffer.AsMemory(_end);
        }
    }

    public void Advance(int count) => _end += count;

    /// <summary>The next complete line, or a <see cref="MaxLineBytes"/> piece of a longer one.</summary>
    public bool TryTakeLine(out string line)
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        var newline = pending[_searched..].IndexOf((byte)'\n');
        if (newline >= 0)
        {
            newline += _searched;
            var length = newline > 0 && pending[newline - 1] == (byte)'\r' ? newline - 1 : newline;
            if (length <= MaxLineBytes)
            {
                line = Lenient.GetString(pending[..length]);
                Consume(newline + 1);
                return true;
            }
        }
        else if (pending.Length <= MaxLineBytes)
        {
            _searched = pending.Length;
            line = string.Empty;
            return false;
        }

        var cut = PieceLength(pending);
        line = Lenient.GetString(pending[..cut]);
        Consume(cut);
        return true;
    }

    /// <summary>At end of stream: what is left after the last line break, if anything.</summary>
    public bool TryTakeRest(out string line)
    {
        var pending = _buffer.AsSpan(_start, _end - _start);
        if (pending.IsEmpty)
        {
            line = string.Empty;
            return false;
        }
        line = Lenient.GetString(pending.EndsWith((byte)'\r') ? pending[..^1] : pending);
        Consume(pending.Length);
        return true;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    /// <summary>
    /// Where to cut an over-long line: at <see cref="MaxLineBytes"/>, moved back to the start of a UTF-8 character so
    /// that neither piece shows a broken character.
    /// </summary>
    private static int PieceLength(ReadOnlySpan<byte> pending)
    {
        var cut = MaxLineBytes;
        for (var back = 0; back < 3 && IsContinuationByte(pending[cut]); back++)
        {
            cut--;
        }
        return IsContinuationByte(pending[cut]) ? MaxLineBytes : cut;
    }

    private static bool IsContinuationByte(byte b) => (b & 0xC0) == 0x80;

    private void Consume(int count)
    {
        _start += count;
        _searched = 0;
    }
}

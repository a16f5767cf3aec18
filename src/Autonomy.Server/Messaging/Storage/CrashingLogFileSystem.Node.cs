namespace Autonomy.Server.Messaging.Storage;

public sealed partial class CrashingLogFileSystem
{
    /// <summary>One file's bytes: what a read sees now, what survives a crash, and the changes in between, in order.</summary>
    private sealed class Node
    {
        private readonly Content _current = new();
        private readonly Content _durable = new();
        private readonly List<(long Offset, byte[]? Data)> _pending = [];

        public ReadOnlySpan<byte> Current => _current.Bytes;

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            _current.Write(data, offset);
            _pending.Add((offset, data.ToArray()));
        }

        public void Truncate(long length)
        {
            _current.Truncate(length);
            _pending.Add((length, null));
        }

        public void Flush()
        {
            foreach (var change in _pending)
            {
                Apply(_durable, change, cut: null);
            }
            _pending.Clear();
        }

        public void Crash(Random? torn)
        {
            if (torn is not null && _pending.Count > 0)
            {
                var kept = torn.Next(_pending.Count + 1);
                for (var i = 0; i < kept; i++)
                {
                    Apply(_durable, _pending[i], cut: null);
                }
                if (kept < _pending.Count)
                {
                    var partial = _pending[kept];
                    Apply(_durable, partial, cut: partial.Data is null ? null : torn.Next(partial.Data.Length + 1));
                }
            }
            _pending.Clear();
            _current.Truncate(0);
            _current.Write(_durable.Bytes, 0);
        }

        private static void Apply(Content target, (long Offset, byte[]? Data) change, int? cut)
        {
            if (change.Data is null)
            {
                target.Truncate(change.Offset);
            }
            else
            {
                target.Write(cut is { } length ? change.Data.AsSpan(0, length) : change.Data, change.Offset);
            }
        }
    }

    /// <summary>A growable byte array; a write past the end fills the gap with zeros, as a sparse file reads.</summary>
    private sealed class Content
    {
        private byte[] _bytes = [];
        private int _length;

        public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

        public void Write(ReadOnlySpan<byte> data, long offset)
        {
            var end = checked((int)(offset + data.Length));
            if (end > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(end, _bytes.Length * 2));
            }
            if (offset > _length)
            {
                _bytes.AsSpan(_length, (int)offset - _length).Clear();
            }
            data.CopyTo(_bytes.AsSpan((int)offset));
            _length = Math.Max(_length, end);
        }

        public void Truncate(long length)
        {
            if (length > _length)
            {
                Write(new byte[length - _length], _length);
            }
            _length = (int)length;
        }
    }
}

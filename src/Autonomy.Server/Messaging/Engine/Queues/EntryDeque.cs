namespace Autonomy.Server.Messaging.Engine;

/// <summary>
/// A double-ended queue of entries in fixed-size chunks: it grows and shrinks a chunk at a time, never copies the
/// whole queue, and keeps each chunk small enough to stay off the large-object heap. The last chunk let go is kept
/// for the next one needed, so that a queue its consumers keep empty does not allocate a chunk each time it refills.
/// </summary>
internal sealed class EntryDeque
{
    private const int ChunkSize = 1024;

    private QueueEntry[]?[] _map = new QueueEntry[]?[4];
    private int _mapHead;
    private int _chunks;
    private int _first;
    private QueueEntry[]? _spare;

    public int Count { get; private set; }

    public ref QueueEntry this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }
            var global = _first + index;
            return ref Chunk(global / ChunkSize)[global % ChunkSize];
        }
    }

    public ref QueueEntry Front => ref this[0];

    public void PushBack(in QueueEntry entry)
    {
        var global = _first + Count;
        if (global / ChunkSize >= _chunks)
        {
            EnsureMapRoom();
            _map[(_mapHead + _chunks) & (_map.Length - 1)] = NewChunk();
            _chunks++;
        }
        Chunk(global / ChunkSize)[global % ChunkSize] = entry;
        Count++;
    }

    public void PushFront(in QueueEntry entry)
    {
        if (_chunks == 0)
        {
            PushBack(entry);
            return;
        }
        if (_first == 0)
        {
            EnsureMapRoom();
            _mapHead = (_mapHead - 1) & (_map.Length - 1);
            _map[_mapHead] = NewChunk();
            _chunks++;
            _first = ChunkSize;
        }
        _first--;
        Chunk(0)[_first] = entry;
        Count++;
    }

    public QueueEntry PopFront()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("the deque is empty");
        }
        var chunk = Chunk(0);
        var entry = chunk[_first];
        chunk[_first] = default;
        _first++;
        Count--;
        if (_first == ChunkSize || Count == 0)
        {
            DropFirstChunk();
        }
        return entry;
    }

    public void Clear()
    {
        Array.Clear(_map);
        _mapHead = 0;
        _chunks = 0;
        _first = 0;
        Count = 0;
    }

    private QueueEntry[] NewChunk()
    {
        var chunk = _spare ?? new QueueEntry[ChunkSize];
        _spare = null;
        return chunk;
    }

    private void DropFirstChunk()
    {
        // Its slots were cleared as they were popped (entries hold no references, but stale ones must not show).
        _spare = _map[_mapHead];
        _map[_mapHead] = null;
        _mapHead = (_mapHead + 1) & (_map.Length - 1);
        _chunks--;
        _first = 0;
        if (Count == 0)
        {
            Clear();
        }
    }

    private QueueEntry[] Chunk(int index) => _map[(_mapHead + index) & (_map.Length - 1)]!;

    private void EnsureMapRoom()
    {
        if (_chunks < _map.Length)
        {
            return;
        }
        var bigger = new QueueEntry[]?[_map.Length * 2];
        for (var i = 0; i < _chunks; i++)
        {
            bigger[i] = Chunk(i);
        }
        _map = bigger;
        _mapHead = 0;
    }
}

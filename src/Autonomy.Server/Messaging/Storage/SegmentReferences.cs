namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Why each segment must stay. A segment may be deleted when it is sealed (no longer the one appended to), holds no
/// live reference (an unsettled queue entry, counted by the engine through Retain/Release), no record still being
/// written or synced into it (a pin), and no record referring to a segment that still exists: such a record settles
/// a message there, and deleting it first would bring that message back to life at the next recovery. A referred
/// segment counts as existing until its deletion is durable (directory synced), because until then a crash brings
/// it back.
/// </summary>
internal sealed class SegmentReferences
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Entry> _segments = [];
    private readonly string _directory;
    private long _active;
    private long _live;

    public SegmentReferences(string directory)
    {
        _directory = directory;
    }

    public long Live
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    /// <summary>The segment appended to from now on; it exists, and the ones before it are sealed.</summary>
    public void SetActive(long segment)
    {
        lock (_gate)
        {
            Add(segment);
            _active = segment;
        }
    }

    public void Add(long segment)
    {
        lock (_gate)
        {
            _segments.TryAdd(segment, new Entry());
        }
    }

    public void Retain(long segment, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            Present(segment).Live += count;
            _live += count;
        }
    }

    /// <summary>Returns true when the segment may have become deletable.</summary>
    public bool Release(long segment, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            var entry = Present(segment);
            if (entry.Live < count)
            {
                throw new InvalidOperationException(
                    $"segment {segment} of the message log in {_directory} has {entry.Live} live references; cannot release {count}");
            }
            entry.Live -= count;
            _live -= count;
            return entry.Live == 0 && segment < _active;
        }
    }

    /// <summary>
    /// A record was just placed in <paramref name="segment"/>: pins the segment when the record starts a new run of
    /// writes into it, notes what the record refers to, and takes the references the caller asked for, all at once.
    /// </summary>
    public void Placed(long segment, int pins, long refersTo, int retain)
    {
        lock (_gate)
        {
            var entry = Present(segment);
            entry.Pins += pins;
            entry.Live += retain;
            _live += retain;
            if (refersTo != LogRecordFormat.NoReference && refersTo != segment && _segments.TryGetValue(refersTo, out var target))
            {
                (entry.RefersTo ??= []).Add(refersTo);
                (target.ReferredBy ??= []).Add(segment);
            }
        }
    }

    /// <summary>Returns true when the segment may have become deletable.</summary>
    public bool Unpin(long segment, int pins)
    {
        lock (_gate)
        {
            if (!_segments.TryGetValue(segment, out var entry))
            {
                return false;
            }
            entry.Pins -= pins;
            return entry.Pins == 0 && entry.Live == 0 && segment < _active;
        }
    }

    /// <summary>The segments that may be deleted now, marked as being deleted (they take no more references).</summary>
    public List<long> TakeDeletable()
    {
        var deletable = new List<long>();
        lock (_gate)
        {
            foreach (var (segment, entry) in _segments)
            {
                if (!entry.Deleting && segment < _active && entry.Live == 0 && entry.Pins == 0 && entry.RefersTo is not { Count: > 0 })
                {
                    entry.Deleting = true;
                    deletable.Add(segment);
                }
            }
        }
        deletable.Sort();
        return deletable;
    }

    /// <summary>The segments' deletion is durable: records that referred to them no longer keep their own segment.</summary>
    public void Deleted(IEnumerable<long> segments)
    {
        lock (_gate)
        {
            foreach (var segment in segments)
            {
                if (!_segments.Remove(segment, out var entry))
                {
                    continue;
                }
                foreach (var referrer in entry.ReferredBy ?? [])
                {
                    if (_segments.TryGetValue(referrer, out var other))
                    {
                        other.RefersTo?.Remove(segment);
                    }
                }
                foreach (var target in entry.RefersTo ?? [])
                {
                    if (_segments.TryGetValue(target, out var other))
                    {
                        other.ReferredBy?.Remove(segment);
                    }
                }
            }
        }
    }

    /// <summary>Live references of a segment, or null when it is not in the log (for tests and diagnostics).</summary>
    public long? LiveOf(long segment)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(segment, out var entry) ? entry.Live : null;
        }
    }

    private Entry Present(long segment)
    {
        if (!_segments.TryGetValue(segment, out var entry) || entry.Deleting)
        {
            throw new InvalidOperationException($"segment {segment} is not in the message log in {_directory}");
        }
        return entry;
    }

    private sealed class Entry
    {
        public long Live;
        public int Pins;
        public bool Deleting;
        public HashSet<long>? RefersTo;
        public HashSet<long>? ReferredBy;
    }
}

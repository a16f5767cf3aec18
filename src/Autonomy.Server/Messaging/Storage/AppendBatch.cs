using System.Buffers;

namespace Autonomy.Server.Messaging.Storage;

/// <summary>
/// Records placed but not yet written: their framed bytes side by side in one pooled buffer, cut into runs (one run
/// per segment, written with one pwrite), and the appenders to tell once their records are written or synced.
/// </summary>
internal sealed class AppendBatch
{
    private const int InitialBytes = 64 << 10;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);

    public int Length { get; private set; }

    public List<Run> Runs { get; } = [];

    /// <summary>Appends that complete once written.</summary>
    public List<AppendWaiter> Written { get; } = [];

    /// <summary>Appends that complete once synced. Kept apart from the others because a completed waiter goes back to the pool at once and may be someone else's by the time its flags could be read again.</summary>
    public List<AppendWaiter> Durable { get; } = [];

    public int Records { get; private set; }

    public bool IsEmpty => Records == 0;

    public ReadOnlySpan<byte> Bytes(Run run) => _buffer.AsSpan(run.Start, run.Length);

    /// <summary>Starts a run when the record does not follow the last one in the same segment; returns whether it did.</summary>
    public bool Place(LogPosition position, int recordBytes)
    {
        var started = Runs.Count == 0 || Runs[^1].Segment != position.Segment;
        if (started)
        {
            Runs.Add(new Run(position.Segment, position.Offset, Length, 0));
        }
        Runs[^1] = Runs[^1] with { Length = Runs[^1].Length + recordBytes };
        return started;
    }

    public void Add(ReadOnlySpan<byte> payload, long refersTo, uint checksum)
    {
        var bytes = LogRecordFormat.RecordBytes(payload.Length);
        if (_buffer.Length - Length < bytes)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + bytes, _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        LogRecordFormat.WriteRecord(_buffer.AsSpan(Length, bytes), payload, refersTo, checksum);
        Length += bytes;
        Records++;
    }

    public void Clear()
    {
        Length = 0;
        Records = 0;
        Runs.Clear();
        Written.Clear();
        Durable.Clear();
        // A burst may have grown the buffer far beyond what usual batches need: give it back.
        if (_buffer.Length > 16 * InitialBytes)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        }
    }

    /// <summary>Consecutive records of one segment: <see cref="Length"/> bytes of the buffer from <see cref="Start"/>, written at <see cref="FileOffset"/>.</summary>
    public readonly record struct Run(long Segment, long FileOffset, int Start, int Length);
}

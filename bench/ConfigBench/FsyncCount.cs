namespace Autonomy.Bench.Config;

/// <summary>What strace counted while a known number of writes were acknowledged.</summary>
internal sealed record FsyncCount(long AcknowledgedWrites, long Fsync, long Fdatasync, long SyncFileRange)
{
    public double PerWrite => AcknowledgedWrites == 0 ? double.NaN : (double)(Fsync + Fdatasync) / AcknowledgedWrites;
}

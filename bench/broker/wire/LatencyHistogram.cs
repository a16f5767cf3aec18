using System.Diagnostics;

namespace Autonomy.Bench.Broker.Wire;

/// <summary>
/// Publish-to-delivery latencies in buckets of 10 µs up to 2 s (the last bucket takes anything slower), so that
/// recording one costs an increment and no allocation while the brokers are being measured.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double BucketMicroseconds = 10;
    private readonly long[] _buckets = new long[200_001];

    public long Count { get; private set; }

    public void RecordSince(long publishTimestamp)
    {
        var micros = Stopwatch.GetElapsedTime(publishTimestamp).TotalMicroseconds;
        var bucket = (int)Math.Clamp(micros / BucketMicroseconds, 0, _buckets.Length - 1);
        _buckets[bucket]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] += other._buckets[i];
        }
        Count += other.Count;
    }

    /// <summary>The latency in milliseconds below which a fraction <paramref name="p"/> of the samples fall.</summary>
    public double Percentile(double p)
    {
        var rank = (long)Math.Ceiling(p * Count);
        var seen = 0L;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += _buckets[i];
            if (seen >= rank && seen > 0)
            {
                return (i + 1) * BucketMicroseconds / 1000;
            }
        }
        return 0;
    }
}

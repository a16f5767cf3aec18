namespace Autonomy.Server.Messaging.Storage;

/// <summary>An open file of the log. Reads and writes are positional, so one handle serves many threads.</summary>
public interface ILogFile : IDisposable
{
    long Length { get; }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/> (pwrite).</summary>
    void Write(ReadOnlySpan<byte> data, long offset);

    /// <summary>Reads up to <paramref name="destination"/>'s length at <paramref name="offset"/>; fewer bytes only at the end of the file.</summary>
    int Read(Span<byte> destination, long offset);

    /// <summary>Makes every byte written so far durable (fsync; fdatasync is enough).</summary>
    void Flush();

    void Truncate(long length);
}

using System.Buffers;

namespace Autonomy.Server.Runtime.Logs;

/// <summary>
/// The log file of one replica, rotated by size like docker's json-file driver: when a line would take the file past
/// its limit, <c>x.log</c> becomes <c>x.log.1</c>, <c>x.log.1</c> becomes <c>x.log.2</c>, and so on, keeping
/// <c>maxFiles</c> files in all. Writes go through a buffer; <see cref="Flush"/> pushes them to the system.
/// </summary>
internal sealed class RotatingLogFile : IDisposable
{
    private const int BufferSize = 64 * 1024;

    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private readonly Action<string> _reportFailure;
    private FileStream? _stream;
    private long _length;
    private bool _dirty;
    private bool _failing;
    private bool _closed;

    /// <param name="reportFailure">
    /// Told once when writing starts to fail (disk full, folder removed), with the reason. The file is retried with
    /// the next line, so writing resumes by itself once the cause is gone.
    /// </param>
    public RotatingLogFile(string path, long maxBytes, int maxFiles, Action<string> reportFailure)
    {
        _path = path;
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        _reportFailure = reportFailure;
    }

    public void Append(LogLine line)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(LogFileFormat.MaxByteCount(line));
        try
        {
            var length = LogFileFormat.Write(line, buffer);
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }
                try
                {
                    var stream = _stream ?? Open();
                    if (_length > 0 && _length + length > _maxBytes)
                    {
                        stream = Rotate();
                    }
                    stream.Write(buffer, 0, length);
                    _length += length;
                    _dirty = true;
                    _failing = false;
                }
                catch (Exception e) when (IsFileError(e))
                {
                    Fail(e);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            if (!_dirty || _stream is null)
            {
                return;
            }
            try
            {
                _stream.Flush();
                _dirty = false;
            }
            catch (Exception e) when (IsFileError(e))
            {
                Fail(e);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            try
            {
                _stream?.Dispose();
            }
            catch (Exception e) when (IsFileError(e))
            {
                Fail(e);
            }
            _stream = null;
        }
    }

    private FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        // Others may read the file while it grows (Tail, tail -f), and rotation renames it under them.
        _stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, BufferSize);
        _length = _stream.Length;
        return _stream;
    }

    private FileStream Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        if (_maxFiles == 1)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete(RotatedPath(_maxFiles - 1));
            for (var i = _maxFiles - 2; i >= 1; i--)
            {
                if (File.Exists(RotatedPath(i)))
                {
                    File.Move(RotatedPath(i), RotatedPath(i + 1), overwrite: true);
                }
            }
            File.Move(_path, RotatedPath(1), overwrite: true);
        }
        return Open();
    }

    private string RotatedPath(int index) => _path + "." + index;

    /// <summary>
    /// A full disk must not stop a replica's output from reaching memory and live readers, nor crash the flush timer:
    /// the error is reported once and the stream dropped, so that the next line reopens the file.
    /// </summary>
    private void Fail(Exception error)
    {
        try
        {
            _stream?.Dispose();
        }
        catch (Exception e) when (IsFileError(e))
        {
            // The buffered bytes are lost either way.
        }
        _stream = null;
        _dirty = false;
        if (!_failing)
        {
            _failing = true;
            _reportFailure(error.Message);
        }
    }

    private static bool IsFileError(Exception e) => e is IOException or UnauthorizedAccessException;
}

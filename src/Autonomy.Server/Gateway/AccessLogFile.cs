namespace Autonomy.Server.Gateway;

/// <summary>
/// One route's access log, rotated by size as the replicas' logs are: when a line would take <c>x.log</c> past its
/// limit it becomes <c>x.log.1</c>, the older ones move up, and <c>maxFiles</c> files are kept in all.
/// </summary>
internal sealed class AccessLogFile(string path, long maxBytes, int maxFiles) : IDisposable
{
    private FileStream? _stream;
    private long _length;

    public void Append(ReadOnlySpan<byte> line)
    {
        var stream = _stream ?? Open();
        if (_length > 0 && _length + line.Length > maxBytes)
        {
            stream = Rotate();
        }
        stream.Write(line);
        _length += line.Length;
    }

    public void Flush() => _stream?.Flush();

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private FileStream Open()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
        _length = _stream.Length;
        return _stream;
    }

    private FileStream Rotate()
    {
        Dispose();
        for (var i = maxFiles - 1; i >= 1; i--)
        {
            var from = i == 1 ? path : $"{path}.{i - 1}";
            if (File.Exists(from))
            {
                File.Move(from, $"{path}.{i}", overwrite: true);
            }
        }
        if (maxFiles == 1)
        {
            File.Delete(path);
        }
        return Open();
    }
}

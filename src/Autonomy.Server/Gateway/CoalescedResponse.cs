using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Autonomy.Server.Gateway;

/// <summary>
/// The body of a forwarded response, sent to the client in as few writes as the replica allows. The proxy copies the
/// replica's answer a piece at a time and the server would send each piece at once: a small chunked answer then went
/// out as two packets, the body and, when the request ended, the chunk that closes it. Here a piece is only buffered,
/// and the buffer goes out when the replica has nothing more ready (the next read would wait), when it holds
/// <see cref="FlushThreshold"/> bytes, or when the response ends, with its closing chunk. A streamed answer (server-sent
/// events, a long download) still reaches the client as the replica sends it: every wait for the replica flushes first.
/// </summary>
internal sealed class CoalescedResponse : Stream, IHttpResponseBodyFeature
{
    private const int FlushThreshold = 64 * 1024;
    private readonly IHttpResponseBodyFeature _server;
    private readonly PipeWriter _writer;
    private int _pending;

    private CoalescedResponse(IHttpResponseBodyFeature server)
    {
        _server = server;
        _writer = server.Writer;
    }

    /// <summary>Puts itself in place of the server's response body for this request, and answers what to restore.</summary>
    public static IHttpResponseBodyFeature? Install(HttpContext context)
    {
        var server = context.Features.Get<IHttpResponseBodyFeature>();
        if (server is null)
        {
            return null;
        }
        context.Features.Set<IHttpResponseBodyFeature>(new CoalescedResponse(server));
        return server;
    }

    /// <summary>The replica's answer as the proxy reads it: a read that would wait sends what is buffered first.</summary>
    public HttpContent Source(HttpContent replica) => new SourceContent(replica, this);

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer;

    void IHttpResponseBodyFeature.DisableBuffering() => _server.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken ct) => _server.StartAsync(ct);

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken ct) => _server.SendFileAsync(path, offset, count, ct);

    async Task IHttpResponseBodyFeature.CompleteAsync()
    {
        await FlushAsync(CancellationToken.None);
        await _server.CompleteAsync();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        // Span by span, each asked for with the size still to copy: the server's chunked writer answers an empty span
        // to a request without one.
        var rest = buffer;
        while (rest.Length > 0)
        {
            var span = _writer.GetSpan(rest.Length);
            if (span.Length == 0)
            {
                return WriteAndFlushAsync(rest, ct);
            }
            var n = Math.Min(span.Length, rest.Length);
            rest.Span[..n].CopyTo(span);
            _writer.Advance(n);
            rest = rest[n..];
            _pending += n;
        }
        return _pending >= FlushThreshold ? new ValueTask(FlushAsync(ct)) : ValueTask.CompletedTask;
    }

    private async ValueTask WriteAndFlushAsync(ReadOnlyMemory<byte> rest, CancellationToken ct)
    {
        _pending = 0;
        var result = await _writer.WriteAsync(rest, ct);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(ct);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken ct)
    {
        if (_pending == 0)
        {
            return;
        }
        _pending = 0;
        var result = await _writer.FlushAsync(ct);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(ct);
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The replica's content with its headers, read through <see cref="Source"/>.</summary>
    private sealed class SourceContent : HttpContent
    {
        private readonly HttpContent _replica;
        private readonly CoalescedResponse _response;

        // The proxy has copied the replica's headers to the client before it reads the body: they are not carried over.
        public SourceContent(HttpContent replica, CoalescedResponse response)
        {
            _replica = replica;
            _response = response;
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken ct) =>
            new SourceStream(await _replica.ReadAsStreamAsync(ct), _response);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _replica.CopyToAsync(stream, context);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _replica.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private sealed class SourceStream(Stream replica, CoalescedResponse response) : Stream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var read = replica.ReadAsync(buffer, ct);
            return read.IsCompleted || response._pending == 0 ? read : FlushThenReadAsync(read, ct);
        }

        private async ValueTask<int> FlushThenReadAsync(ValueTask<int> read, CancellationToken ct)
        {
            try
            {
                await response.FlushAsync(ct);
            }
            catch
            {
                // The client is gone: the read still has to finish (or fail) before the proxy may give up the replica's stream.
                try
                {
                    await read;
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
                {
                }
                throw;
            }
            return await read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                replica.Dispose();
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

using System.Buffers;
using System.IO.Pipelines;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>
/// A connection's output. Frames come from several threads (the reader's replies, the confirm pumps, the broker's
/// deliveries); each run of frames is written straight into the socket's pipe under one lock, so that a content's
/// frames are never interleaved with another's on the same channel. One flusher at a time sends whatever has
/// accumulated, so that many frames leave in one write.
/// </summary>
internal sealed class OutboundWriter(PipeWriter pipe) : IThreadPoolWorkItem
{
    private readonly Lock _gate = new();
    private readonly FrameWriter _frames = new();
    private bool _dirty;
    private bool _flushing;
    private bool _completed;
    private long _writes;
    private TaskCompletionSource? _idle;

    /// <summary>Raised (once) when the peer stopped taking output: the connection is over.</summary>
    public event Action? Broken;

    /// <summary>Raised after a flush with the count of writes it covered: everything up to it is with the socket.</summary>
    public event Action<long>? Flushed;

    /// <summary>How many runs of frames have been written; the heartbeat compares it between its ticks.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public bool IsCompleted { get { lock (_gate) { return _completed; } } }

    public void WriteMethod<T>(ushort channel, in T method) where T : IAmqpMethod
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            _frames.WriteMethod(pipe, channel, method);
            Written();
        }
    }

    /// <summary>
    /// A method carrying content (deliver, get-ok, return), its header from the encoded properties, and its body.
    /// Returns the write's number, which <see cref="Flushed"/> later covers (0: the output is closed).
    /// </summary>
    public long WriteContent<T>(ushort channel, in T method, ReadOnlySpan<byte> encodedProperties, ReadOnlyMemory<byte> body, uint frameMax)
        where T : IAmqpMethod
    {
        lock (_gate)
        {
            if (_completed)
            {
                return 0;
            }
            _frames.WriteMethod(pipe, channel, method);
            FrameWriter.WriteContentHeader(pipe, channel, method.ClassId, (ulong)body.Length, encodedProperties);
            FrameWriter.WriteBody(pipe, channel, body, frameMax);
            Written();
            return _writes;
        }
    }

    public void WriteHeartbeat()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            FrameWriter.WriteHeartbeat(pipe);
            Written();
        }
    }

    /// <summary>Raw octets (the protocol header a client with another version is answered with).</summary>
    public void WriteRaw(ReadOnlySpan<byte> octets)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            pipe.Write(octets);
            Written();
        }
    }

    /// <summary>Completes once everything written so far has been handed to the socket (or the socket is gone).</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            if (_completed || (!_dirty && !_flushing))
            {
                return Task.CompletedTask;
            }
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task;
        }
    }

    /// <summary>Sends what is pending and closes the output; later writes are dropped.</summary>
    public async Task CompleteAsync()
    {
        await DrainAsync().ConfigureAwait(false);
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
        }
        await pipe.CompleteAsync().ConfigureAwait(false);
    }

    private void Written()
    {
        _writes++;
        _dirty = true;
        if (!_flushing)
        {
            _flushing = true;
            // Later: whatever else is written before the flusher runs leaves in the same write.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => FlushPending();

    /// <summary>
    /// Flushes until nothing is pending. A flush the socket takes at once (the usual case) costs no allocation; one
    /// that must wait for the peer to read continues asynchronously.
    /// </summary>
    private void FlushPending()
    {
        while (true)
        {
            ValueTask<FlushResult> flush;
            long covered;
            lock (_gate)
            {
                if (!_dirty || _completed)
                {
                    _flushing = false;
                    _idle?.TrySetResult();
                    _idle = null;
                    return;
                }
                _dirty = false;
                covered = _writes;
                try
                {
                    flush = pipe.FlushAsync();
                }
                catch (Exception error) when (IsTransportFailure(error))
                {
                    flush = ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true));
                }
            }
            if (!flush.IsCompleted)
            {
                _ = AwaitFlushAsync(flush, covered);
                return;
            }
            if (!Completed(flush, covered))
            {
                return;
            }
        }
    }

    private async Task AwaitFlushAsync(ValueTask<FlushResult> flush, long covered)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (Exception error) when (IsTransportFailure(error))
        {
            Over();
            return;
        }
        if (Completed(flush, covered))
        {
            FlushPending();
        }
    }

    /// <summary>Handles a finished flush; false when the peer is gone.</summary>
    private bool Completed(ValueTask<FlushResult> flush, long covered)
    {
        bool over;
        try
        {
            var result = flush.Result;
            over = result.IsCompleted || result.IsCanceled;
        }
        catch (Exception error) when (IsTransportFailure(error))
        {
            over = true;
        }
        if (over)
        {
            Over();
            return false;
        }
        Flushed?.Invoke(covered);
        return true;
    }

    private void Over()
    {
        lock (_gate)
        {
            _completed = true;
            _flushing = false;
            _idle?.TrySetResult();
            _idle = null;
        }
        Broken?.Invoke();
    }

    private static bool IsTransportFailure(Exception error) => error is IOException or ObjectDisposedException or InvalidOperationException
        or OperationCanceledException or System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.ConnectionResetException;
}

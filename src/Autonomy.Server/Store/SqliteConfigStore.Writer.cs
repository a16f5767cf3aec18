using System.Collections.Immutable;
using Autonomy.Server.Governance;
using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Store;

public sealed partial class SqliteConfigStore
{
    // Enough to share one fsync among many writers, small enough that one batch's latency stays low.
    private const int MaxBatch = 1024;

    public Task<long> CreateNamespaceAsync(string name, string author, CancellationToken ct = default)
    {
        if (_namespaces.TryGetValue(name, out var existing))
        {
            return Task.FromResult(existing.Revision);
        }
        var work = new CreateNamespaceWork(name, author);
        return Enqueue(work, work.Done, ct);
    }

    public Task<CommitResult> CommitAsync(StoreTransaction transaction, CancellationToken ct = default)
    {
        var work = new CommitWork(transaction);
        return Enqueue(work, work.Done, ct);
    }

    /// <summary>Runs <paramref name="action"/> on the writer's connection, between batches.</summary>
    private Task<T> OnWriterAsync<T>(Func<SqliteConnection, T> action)
    {
        var work = new ConnectionWork(c => action(c));
        return Enqueue(work, work.Done, CancellationToken.None).ContinueWith(t => (T)t.Result!, TaskScheduler.Default);
    }

    private Task<T> Enqueue<T>(Work work, TaskCompletionSource<T> done, CancellationToken ct)
    {
        if (!_queue.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(SqliteConfigStore));
        }
        // A caller that stops waiting does not undo the write: once queued it commits (or fails) as a whole.
        return ct.CanBeCanceled ? done.Task.WaitAsync(ct) : done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Work>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryPeek(out var next))
            {
                if (next is ConnectionWork && batch.Count > 0)
                {
                    break;
                }
                _queue.Reader.TryRead(out _);
                batch.Add(next);
                if (next is ConnectionWork)
                {
                    break;
                }
            }
            if (batch is [ConnectionWork single])
            {
                RunConnectionWork(single);
            }
            else
            {
                CommitBatch(batch);
            }
            batch.Clear();
        }
    }

    private void RunConnectionWork(ConnectionWork work)
    {
        try
        {
            work.Done.TrySetResult(work.Action(_writer));
        }
        catch (Exception e)
        {
            work.Done.TrySetException(e);
        }
    }

    /// <summary>Applies every queued write in one SQLite transaction, then publishes them together.</summary>
    private void CommitBatch(List<Work> batch)
    {
        var staged = new BatchState(_namespaces, _revision, _commands) { Chain = _chain };
        var outcomes = new List<Action>(batch.Count);
        try
        {
            using var transaction = _writer.BeginTransaction();
            _commands.Enlist(transaction);
            foreach (var work in batch)
            {
                switch (work)
                {
                    case CreateNamespaceWork create:
                        var created = staged.CreateNamespace(_writer, create.Name, create.Author, Now());
                        outcomes.Add(() => create.Done.TrySetResult(created));
                        break;
                    case CommitWork commit:
                        var result = staged.Apply(commit.Transaction, Now(), out var error);
                        outcomes.Add(error is null ? () => commit.Done.TrySetResult(result!) : () => commit.Done.TrySetException(error));
                        break;
                    case StatementWork statement:
                        outcomes.Add(RunStatement(staged, statement));
                        break;
                }
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            transaction.Commit();
            Diagnostics.AutonomyMetrics.StoreFsync.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            Interlocked.Increment(ref _committedBatches);
        }
        catch (SqliteException e)
        {
            // Nothing of the batch is on disk, so nothing of it is acknowledged.
            var failure = new IOException($"the config store could not commit: {e.Message}", e);
            foreach (var work in batch)
            {
                work.Fail(failure);
            }
            return;
        }

        lock (_gate)
        {
            _namespaces = staged.Namespaces;
            Volatile.Write(ref _revision, staged.Revision);
            _chain = staged.Chain;
            Publish(staged.Events);
        }
        foreach (var outcome in outcomes)
        {
            outcome();
        }
    }

    private DateTimeOffset Now() => _time.GetUtcNow();

    private abstract class Work
    {
        public abstract void Fail(Exception e);
    }

    private sealed class CommitWork(StoreTransaction transaction) : Work
    {
        public StoreTransaction Transaction { get; } = transaction;

        public TaskCompletionSource<CommitResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception e) => Done.TrySetException(e);
    }

    private sealed class CreateNamespaceWork(string name, string author) : Work
    {
        public string Name { get; } = name;

        public string Author { get; } = author;

        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception e) => Done.TrySetException(e);
    }

    private sealed class ConnectionWork(Func<SqliteConnection, object?> action) : Work
    {
        public Func<SqliteConnection, object?> Action { get; } = action;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Fail(Exception e) => Done.TrySetException(e);
    }

    /// <summary>The store as the batch has changed it so far: later writes in a batch see earlier ones.</summary>
    private sealed class BatchState(ImmutableDictionary<string, NamespaceState> namespaces, long revision, WriterCommands commands)
    {
        public ImmutableDictionary<string, NamespaceState> Namespaces { get; private set; } = namespaces;

        public long Revision { get; private set; } = revision;

        public List<ChangeEvent> Events { get; } = [];

        /// <summary>The newest audit entry, this batch's included: the writer alone extends the chain, so its links never race.</summary>
        public ChainEnd Chain { get; set; }

        /// <summary>Appends an entry to the audit log; returns its seq.</summary>
        public long AppendAudit(AuditRecord record, DateTimeOffset time)
        {
            var seq = Chain.Seq + 1;
            var ms = time.ToUnixTimeMilliseconds();
            var hash = AuditChain.Link(Chain.Hash, seq, ms, record);
            commands.InsertAudit(seq, ms, record, Chain.Hash, hash);
            Chain = new ChainEnd(seq, hash);
            return seq;
        }

        public long CreateNamespace(SqliteConnection connection, string name, string author, DateTimeOffset time)
        {
            if (Namespaces.TryGetValue(name, out var existing))
            {
                return existing.Revision;
            }
            var revision = ++Revision;
            // Who made a namespace, and when, is kept where every change was kept before versions carried it.
            SqliteConfigStore.Run(connection, "INSERT INTO revisions(revision, time, author) VALUES ($revision, $time, $author)",
                ("$revision", revision), ("$time", time.ToUnixTimeMilliseconds()), ("$author", author));
            SqliteConfigStore.Run(connection, "INSERT INTO namespaces(name, revision, created_revision) VALUES ($name, $revision, $revision)", ("$name", name), ("$revision", revision));
            Namespaces = Namespaces.SetItem(name, new NamespaceState(name, revision, ImmutableSortedDictionary<string, StoredEntry>.Empty.WithComparers(StringComparer.Ordinal)));
            return revision;
        }

        public CommitResult? Apply(StoreTransaction transaction, DateTimeOffset time, out Exception? error)
        {
            error = null;
            if (!Namespaces.TryGetValue(transaction.Namespace, out var state))
            {
                error = new UnknownNamespaceException(transaction.Namespace);
                return null;
            }
            foreach (var compare in transaction.Compares)
            {
                var found = compare.Key is null ? state.Revision : state.Entries.TryGetValue(compare.Key, out var e) ? e.Revision : 0;
                if (found != compare.Revision)
                {
                    return new CommitResult(false, Revision, compare, found);
                }
            }

            var entries = state.Entries;
            var changes = new List<(string Key, StoredEntry? Entry, string ContentType)>();
            foreach (var op in transaction.Operations)
            {
                entries.TryGetValue(op.Key, out var current);
                if (op.Kind == StoreOperationKind.Delete)
                {
                    if (current is null)
                    {
                        continue;
                    }
                    entries = entries.Remove(op.Key);
                    changes.RemoveAll(c => c.Key == op.Key);
                    changes.Add((op.Key, null, current.ContentType));
                }
                else
                {
                    var entry = new StoredEntry(op.Key, op.Value!, op.ContentType, Revision + 1, current?.CreateRevision ?? Revision + 1, (current?.Version ?? 0) + 1);
                    if (current is not null && current.Revision == Revision + 1)
                    {
                        // Written twice in this transaction: one version, the last value.
                        entry = entry with { CreateRevision = current.CreateRevision, Version = current.Version };
                    }
                    entries = entries.SetItem(op.Key, entry);
                    changes.RemoveAll(c => c.Key == op.Key);
                    changes.Add((op.Key, entry, op.ContentType));
                }
            }
            if (transaction.Audit is { } audit)
            {
                // The call succeeded (its compares held), so its audit entry commits with its change.
                AppendAudit(audit, time);
            }
            if (changes.Count == 0)
            {
                return new CommitResult(true, Revision) { Changed = false };
            }

            var revision = ++Revision;
            foreach (var (key, entry, contentType) in changes.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                commands.InsertVersion(transaction.Namespace, key, revision, entry?.Value, contentType, entry?.CreateRevision ?? 0, entry?.Version ?? 0, time, transaction.Author);
                Events.Add(new ChangeEvent(transaction.Namespace, key, revision, entry?.Value, contentType, time, transaction.Author));
            }
            Namespaces = Namespaces.SetItem(transaction.Namespace, state with { Revision = revision, Entries = entries });
            return new CommitResult(true, revision) { Changed = true };
        }
    }
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

internal sealed partial class AmqpChannel
{
    private Transaction? _transaction;

    private ValueTask SelectTx()
    {
        if (_confirming)
        {
            throw Refuse(ReplyCode.PreconditionFailed, "cannot switch from confirm to tx mode");
        }
        _transaction ??= new Transaction();
        Output.WriteMethod(Number, new TxSelectOk());
        return ValueTask.CompletedTask;
    }

    private void Buffer(Transaction transaction, BufferedPublish publish)
    {
        if (transaction.Bytes + publish.Size > _connection.Options.MaxTransactionBytes)
        {
            Return(publish.Buffer);
            throw Refuse(ReplyCode.PreconditionFailed, $"tx buffer limit of {_connection.Options.MaxTransactionBytes} bytes reached");
        }
        transaction.Publishes.Add(publish);
        transaction.Bytes += publish.Size;
    }

    private void BufferSettlement(Transaction transaction, Settlement settlement)
    {
        // Checked now, as RabbitMQ checks them: a tag the channel does not hold, or one already settled in this
        // transaction, is refused at once rather than at commit.
        if (!settlement.Multiple || settlement.Tag != 0)
        {
            if (!_session.Holds(settlement.Tag) || !transaction.SettledTags.Add(settlement.Tag))
            {
                throw Refuse(ReplyCode.PreconditionFailed, $"unknown delivery tag {settlement.Tag}");
            }
        }
        transaction.Settlements.Add(settlement);
    }

    /// <summary>
    /// Publishes what the transaction buffered, in order, waits until every one is stored, then applies its acks,
    /// nacks and rejects in order, then commit-ok. A publish a queue refused fails the commit (partial tx completion).
    /// </summary>
    private async ValueTask CommitAsync()
    {
        var transaction = _transaction ?? throw Refuse(ReplyCode.PreconditionFailed, "channel is not transactional");
        var publishes = transaction.Publishes.ToList();
        var settlements = transaction.Settlements.ToList();
        transaction.Publishes.Clear();
        transaction.Settlements.Clear();
        transaction.SettledTags.Clear();
        transaction.Bytes = 0;
        var rejected = false;
        try
        {
            var outcomes = new List<ValueTask<PublishOutcome>>(publishes.Count);
            foreach (var publish in publishes)
            {
                CheckPublish(publish.Method.Exchange, publish.Properties.Span);
                outcomes.Add(_vhost.PublishAsync(publish.Method.Exchange, publish.Method.RoutingKey, publish.Properties, publish.Body,
                    publish.Method.Mandatory, skipFlowWait: true, CancellationToken.None));
            }
            for (var i = 0; i < outcomes.Count; i++)
            {
                var outcome = await outcomes[i].ConfigureAwait(false);
                var publish = publishes[i];
                if (outcome == PublishOutcome.Unroutable && publish.Method.Mandatory)
                {
                    WriteReturn(publish.Method.Exchange, publish.Method.RoutingKey, publish.Properties.Span, publish.Body);
                }
                rejected |= outcome == PublishOutcome.Rejected;
            }
        }
        finally
        {
            foreach (var publish in publishes)
            {
                Return(publish.Buffer);
            }
        }
        foreach (var settlement in settlements)
        {
            Apply(settlement);
        }
        if (rejected)
        {
            throw Refuse(ReplyCode.PreconditionFailed, "partial tx completion");
        }
        Output.WriteMethod(Number, new TxCommitOk());
    }

    private ValueTask Rollback()
    {
        var transaction = _transaction ?? throw Refuse(ReplyCode.PreconditionFailed, "channel is not transactional");
        transaction.Clear(Return);
        Output.WriteMethod(Number, new TxRollbackOk());
        return ValueTask.CompletedTask;
    }

    /// <summary>What a transactional channel holds until commit: publishes with their own copies of the content, and settlements.</summary>
    private sealed class Transaction
    {
        public List<BufferedPublish> Publishes { get; } = [];

        public List<Settlement> Settlements { get; } = [];

        public HashSet<ulong> SettledTags { get; } = [];

        public long Bytes { get; set; }

        public void Clear(Action<byte[]> giveBack)
        {
            foreach (var publish in Publishes)
            {
                giveBack(publish.Buffer);
            }
            Publishes.Clear();
            Settlements.Clear();
            SettledTags.Clear();
            Bytes = 0;
        }
    }

    private readonly record struct BufferedPublish(BasicPublish Method, byte[] Buffer, int PropertiesLength, int BodyLength)
    {
        public ReadOnlyMemory<byte> Properties => Buffer.AsMemory(0, PropertiesLength);

        public ReadOnlyMemory<byte> Body => Buffer.AsMemory(PropertiesLength, BodyLength);

        public int Size => PropertiesLength + BodyLength;
    }
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>Which method a class and method id name, and how to read its arguments.</summary>
internal static class MethodTable
{
    /// <summary>Reads the arguments of the method the ids name; null when no such method exists.</summary>
    public static IAmqpMethod? Read(ushort classId, ushort methodId, ref AmqpReader reader) => ((uint)classId << 16 | methodId) switch
    {
        10 << 16 | 10 => ConnectionStart.Read(ref reader),
        10 << 16 | 11 => ConnectionStartOk.Read(ref reader),
        10 << 16 | 20 => ConnectionSecure.Read(ref reader),
        10 << 16 | 21 => ConnectionSecureOk.Read(ref reader),
        10 << 16 | 30 => ConnectionTune.Read(ref reader),
        10 << 16 | 31 => ConnectionTuneOk.Read(ref reader),
        10 << 16 | 40 => ConnectionOpen.Read(ref reader),
        10 << 16 | 41 => ConnectionOpenOk.Read(ref reader),
        10 << 16 | 50 => ConnectionClose.Read(ref reader),
        10 << 16 | 51 => new ConnectionCloseOk(),
        10 << 16 | 60 => ConnectionBlocked.Read(ref reader),
        10 << 16 | 61 => new ConnectionUnblocked(),
        20 << 16 | 10 => ChannelOpen.Read(ref reader),
        20 << 16 | 11 => ChannelOpenOk.Read(ref reader),
        20 << 16 | 20 => ChannelFlow.Read(ref reader),
        20 << 16 | 21 => ChannelFlowOk.Read(ref reader),
        20 << 16 | 40 => ChannelClose.Read(ref reader),
        20 << 16 | 41 => new ChannelCloseOk(),
        40 << 16 | 10 => ExchangeDeclare.Read(ref reader),
        40 << 16 | 11 => new ExchangeDeclareOk(),
        40 << 16 | 20 => ExchangeDelete.Read(ref reader),
        40 << 16 | 21 => new ExchangeDeleteOk(),
        40 << 16 | 30 => ExchangeBind.Read(ref reader),
        40 << 16 | 31 => new ExchangeBindOk(),
        40 << 16 | 40 => ExchangeUnbind.Read(ref reader),
        40 << 16 | 51 => new ExchangeUnbindOk(),
        50 << 16 | 10 => QueueDeclare.Read(ref reader),
        50 << 16 | 11 => QueueDeclareOk.Read(ref reader),
        50 << 16 | 20 => QueueBind.Read(ref reader),
        50 << 16 | 21 => new QueueBindOk(),
        50 << 16 | 30 => QueuePurge.Read(ref reader),
        50 << 16 | 31 => QueuePurgeOk.Read(ref reader),
        50 << 16 | 40 => QueueDelete.Read(ref reader),
        50 << 16 | 41 => QueueDeleteOk.Read(ref reader),
        50 << 16 | 50 => QueueUnbind.Read(ref reader),
        50 << 16 | 51 => new QueueUnbindOk(),
        60 << 16 | 10 => BasicQos.Read(ref reader),
        60 << 16 | 11 => new BasicQosOk(),
        60 << 16 | 20 => BasicConsume.Read(ref reader),
        60 << 16 | 21 => BasicConsumeOk.Read(ref reader),
        60 << 16 | 30 => BasicCancel.Read(ref reader),
        60 << 16 | 31 => BasicCancelOk.Read(ref reader),
        60 << 16 | 40 => BasicPublish.Read(ref reader),
        60 << 16 | 50 => BasicReturn.Read(ref reader),
        60 << 16 | 60 => BasicDeliver.Read(ref reader),
        60 << 16 | 70 => BasicGet.Read(ref reader),
        60 << 16 | 71 => BasicGetOk.Read(ref reader),
        60 << 16 | 72 => BasicGetEmpty.Read(ref reader),
        60 << 16 | 80 => BasicAck.Read(ref reader),
        60 << 16 | 90 => BasicReject.Read(ref reader),
        60 << 16 | 100 => BasicRecoverAsync.Read(ref reader),
        60 << 16 | 110 => BasicRecover.Read(ref reader),
        60 << 16 | 111 => new BasicRecoverOk(),
        60 << 16 | 120 => BasicNack.Read(ref reader),
        85 << 16 | 10 => ConfirmSelect.Read(ref reader),
        85 << 16 | 11 => new ConfirmSelectOk(),
        90 << 16 | 10 => new TxSelect(),
        90 << 16 | 11 => new TxSelectOk(),
        90 << 16 | 20 => new TxCommit(),
        90 << 16 | 21 => new TxCommitOk(),
        90 << 16 | 30 => new TxRollback(),
        90 << 16 | 31 => new TxRollbackOk(),
        _ => null,
    };

    /// <summary>The name of a class, for errors about ids that name no method.</summary>
    public static string? ClassName(ushort classId) => classId switch
    {
        10 => "connection",
        20 => "channel",
        40 => "exchange",
        50 => "queue",
        60 => "basic",
        85 => "confirm",
        90 => "tx",
        _ => null,
    };
}

using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Amqp;

/// <summary>tx.select (90, 10).</summary>
internal readonly record struct TxSelect : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 10;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.select";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>tx.select-ok (90, 11).</summary>
internal readonly record struct TxSelectOk : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 11;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.select-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>tx.commit (90, 20).</summary>
internal readonly record struct TxCommit : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 20;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.commit";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>tx.commit-ok (90, 21).</summary>
internal readonly record struct TxCommitOk : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 21;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.commit-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>tx.rollback (90, 30).</summary>
internal readonly record struct TxRollback : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 30;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.rollback";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

/// <summary>tx.rollback-ok (90, 31).</summary>
internal readonly record struct TxRollbackOk : IAmqpMethod
{
    public const ushort Class = 90;
    public const ushort Method = 31;

    public ushort ClassId => Class;
    public ushort MethodId => Method;
    public string Name => "tx.rollback-ok";
    public bool HasContent => false;

    public void WriteArguments(ref AmqpWriter writer)
    {
    }
}

namespace Autonomy.Server.Messaging.Engine;

/// <summary>Why a message was dead-lettered; <see cref="DeathReasons.Name"/> gives the x-death reason.</summary>
internal enum DeathReason
{
    Rejected,
    Expired,
    MaxLength,
    DeliveryLimit,
}

internal static class DeathReasons
{
    public static string Name(DeathReason reason) => reason switch
    {
        DeathReason.Rejected => "rejected",
        DeathReason.Expired => "expired",
        DeathReason.MaxLength => "maxlen",
        DeathReason.DeliveryLimit => "delivery_limit",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}

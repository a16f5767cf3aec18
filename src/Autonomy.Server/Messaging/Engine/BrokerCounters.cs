namespace Autonomy.Server.Messaging.Engine;

/// <summary>The broker's running totals, bumped without locks.</summary>
internal sealed class BrokerCounters
{
    public long Published;
    public long Delivered;
    public long Acknowledged;
    public long Redelivered;
    public long DeadLettered;
    public long Expired;
}

namespace Autonomy.Server.Gateway.Traffic;

/// <summary>The span a key's quota counts over: a UTC calendar day or month.</summary>
public enum QuotaPeriod
{
    Day,
    Month,
}

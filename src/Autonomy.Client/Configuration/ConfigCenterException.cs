namespace Autonomy.Client.Configuration;

/// <summary>The config center answered, but not with the namespace: the status and the problem's detail.</summary>
internal sealed class ConfigCenterException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

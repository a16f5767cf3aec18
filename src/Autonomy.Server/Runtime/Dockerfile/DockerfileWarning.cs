namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>
/// Something in the Dockerfile that Docker would reject or treat surprisingly, but that does not stop Autonomy from
/// learning how to run the service (a malformed COPY, say). Line 0 is about the file as a whole.
/// </summary>
internal sealed record DockerfileWarning(int Line, int Column, string Message)
{
    public string Format(string path) => Line <= 0 ? $"{path}: {Message}" : $"{path}:{Line}:{Column}: {Message}";
}

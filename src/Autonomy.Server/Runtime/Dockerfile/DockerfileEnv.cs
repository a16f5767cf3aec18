namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>One variable of the image environment, with its value substituted; <paramref name="Line"/> is the ENV that last set it.</summary>
internal sealed record DockerfileEnv(string Name, string Value, int Line);

namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>One <c>NAME=value</c> of ENV, ARG or LABEL before expansion; an ARG without a default has no <see cref="Value"/>.</summary>
internal sealed record KeyValueArgument(ArgumentWord Key, ArgumentWord? Value);

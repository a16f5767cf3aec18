namespace Autonomy.Server.Runtime.Dockerfile;

/// <summary>A piece of an instruction's arguments and where it starts in the instruction's <see cref="LogicalLine"/>.</summary>
internal readonly record struct ArgumentWord(string Text, int Offset);

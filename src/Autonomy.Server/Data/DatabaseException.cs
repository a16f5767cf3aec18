namespace Autonomy.Server.Data;

/// <summary>A database that cannot be provisioned or reached; the message says what happened and what to check, and never holds a password.</summary>
public sealed class DatabaseException(string message, Exception? inner = null) : Exception(message, inner);

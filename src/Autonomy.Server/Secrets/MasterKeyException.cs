namespace Autonomy.Server.Secrets;

/// <summary>The master key is missing, malformed, too open, or not the one the secrets were encrypted with; the message says what to do.</summary>
public sealed class MasterKeyException(string message) : Exception(message);

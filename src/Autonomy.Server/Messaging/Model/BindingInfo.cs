namespace Autonomy.Server.Messaging.Model;

/// <summary>A binding from an exchange to a queue or to another exchange.</summary>
public sealed record BindingInfo(string Source, string Destination, bool DestinationIsQueue, string RoutingKey, FieldTable Arguments);

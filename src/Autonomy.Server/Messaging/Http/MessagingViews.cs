using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Model;

namespace Autonomy.Server.Messaging.Http;

/// <summary>What the messaging API answers, in its snake_case JSON. The default exchange is named amq.default, as in paths.</summary>
internal static class MessagingViews
{
    public const string DefaultExchange = "amq.default";

    public static string ExchangeName(string name) => name.Length == 0 ? DefaultExchange : name;

    public static VhostView Vhost(Engine.VirtualHost vhost, bool service)
    {
        var queues = vhost.Queues;
        return new VhostView(vhost.Name, service, queues.Count, vhost.Exchanges.Count, queues.Sum(q => q.Messages),
            queues.Sum(q => q.Ready), queues.Sum(q => q.Unacked), queues.Sum(q => q.Delayed));
    }

    public static ExchangeView Exchange(ExchangeInfo e) =>
        new(ExchangeName(e.Name), e.Vhost, e.Type, e.Durable, e.AutoDelete, e.Internal, FieldTableJson.Show(e.Arguments));

    public static QueueView Queue(QueueInfo q) => new(q.Name, q.Vhost, q.Durable, q.Exclusive, q.AutoDelete, FieldTableJson.Show(q.Arguments),
        q.Messages, q.Ready, q.Unacked, q.Delayed, q.Bytes, q.Consumers, q.DeadLetterExchange is { } dlx ? ExchangeName(dlx) : null, q.Published, q.Delivered);

    public static BindingView Binding(BindingInfo b) =>
        new(ExchangeName(b.Source), b.Destination, b.DestinationIsQueue ? "queue" : "exchange", b.RoutingKey, FieldTableJson.Show(b.Arguments));

    public static MessageView Message(string? receipt, Delivery d, string encoding)
    {
        var (payload, shownAs) = MessageJson.ShowPayload(d.Body.Span, encoding);
        return new MessageView(receipt, d.Redelivered, d.DeliveryCount, ExchangeName(d.Exchange), d.RoutingKey, MessageJson.Show(d.Properties), payload, shownAs, d.Body.Length);
    }

    public static UserView User(BrokerUser user, BrokerPermissions permissions) => new(user.Name, user.Tags, user.IsService ? "service" : "stored",
        [.. permissions.ForUser(user.Name).Select(p => p.Vhost)]);

    public static PermissionView Permission(VhostPermission p) => new(p.User, p.Vhost, p.Configure.Text, p.Write.Text, p.Read.Text);
}

internal sealed record VhostView(string Name, bool Service, int Queues, int Exchanges, long Messages, long Ready, long Unacked, long Delayed);

internal sealed record ExchangeView(string Name, string Vhost, string Type, bool Durable, bool AutoDelete, bool Internal, Dictionary<string, object?> Arguments);

internal sealed record QueueView(string Name, string Vhost, bool Durable, bool Exclusive, bool AutoDelete, Dictionary<string, object?> Arguments,
    long Messages, long Ready, long Unacked, long Delayed, long Bytes, int Consumers, string? DeadLetterExchange, long Published, long Delivered);

internal sealed record BindingView(string Source, string Destination, string DestinationType, string RoutingKey, Dictionary<string, object?> Arguments);

internal sealed record MessageView(string? Receipt, bool Redelivered, long DeliveryCount, string Exchange, string RoutingKey,
    Dictionary<string, object?> Properties, string Payload, string PayloadEncoding, int PayloadBytes);

internal sealed record UserView(string Name, IReadOnlyList<string> Tags, string Kind, IReadOnlyList<string> Vhosts);

internal sealed record PermissionView(string User, string Vhost, string Configure, string Write, string Read);

using System.Text;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// Through the real server: each service gets MESSAGE_QUEUE_URL to its own vhost on the AMQP listener, and an
/// application written for RabbitMQ (pika, as Debian ships it) works with it unchanged.
/// </summary>
public sealed class MessageQueueUrlTests
{
    private const string Publisher = """
        import os, pika
        connection = pika.BlockingConnection(pika.URLParameters(os.environ["MESSAGE_QUEUE_URL"]))
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare("orders", durable=True)
        for i in range(3):
            channel.basic_publish("", "orders", f"order {i}".encode(), pika.BasicProperties(delivery_mode=2))
        try:
            channel.basic_publish("", "nowhere", b"x", mandatory=True)
        except pika.exceptions.UnroutableError:
            print("unroutable")
        try:
            channel.queue_declare("missing", passive=True)
        except pika.exceptions.ChannelClosedByBroker as e:
            print(e.reply_code, e.reply_text)
        connection.close()
        with open("published", "w") as f:
            f.write(os.environ["MESSAGE_QUEUE_URL"] + "\n")
        """;

    [Fact]
    public async Task A_pika_service_publishes_with_its_MESSAGE_QUEUE_URL_and_the_url_works_as_it_is()
    {
        await using var server = await RunningServer.StartAsync("""
            name: mqurl
            services:
              orders:
                command: sh -c '/usr/bin/python3 publish.py > publish.out 2>&1; exec sleep 300'
            """, new Dictionary<string, string> { ["publish.py"] = Publisher });
        var published = server.Files.PathOf("published");
        await RunningProject.WaitUntilAsync(() => File.Exists(published) && File.ReadAllText(published).EndsWith('\n'),
            "the service published");
        var url = new Uri(File.ReadAllText(published).Trim());
        Assert.Equal(("amqp", "127.0.0.1", server.Plane.AmqpPort, "/orders"), (url.Scheme, url.Host, url.Port, url.AbsolutePath));
        Assert.Equal("orders", url.UserInfo.Split(':')[0]);
        Assert.Equal(["unroutable", "404 NOT_FOUND - no queue 'missing' in vhost 'orders'"],
            File.ReadAllLines(server.Files.PathOf("publish.out")));
        Assert.Equal(3, server.Plane.Broker.GetVirtualHost("orders").GetQueue("orders").Ready);

        await using var connection = await RabbitClients.ConnectAsync(url.ToString());
        await using var channel = await connection.CreateChannelAsync();
        var first = await channel.BasicGetAsync("orders", autoAck: true);
        Assert.Equal("order 0", Encoding.UTF8.GetString(first!.Body.Span));
        // server.json says where AMQP listens, beside the API's port.
        Assert.Equal(server.Plane.AmqpPort, Autonomy.Server.Hosting.ServerRecord.ReadLive(server.Plane.StateDirectory)!.AmqpPort);
    }
}

using System.Diagnostics;

namespace Autonomy.Tests.Messaging.RabbitMq;

/// <summary>Debian's pika (python3-pika), as a service written for RabbitMQ would use a MESSAGE_QUEUE_URL.</summary>
internal static class Pika
{
    // Declares the queue, publishes one message with confirms, and gets it back.
    private const string RoundTrip = """
        import sys, pika
        url, queue, body = sys.argv[1], sys.argv[2], sys.argv[3].encode()
        connection = pika.BlockingConnection(pika.URLParameters(url))
        channel = connection.channel()
        channel.confirm_delivery()
        channel.queue_declare(queue=queue, durable=True)
        channel.basic_publish(exchange="", routing_key=queue, body=body, properties=pika.BasicProperties(delivery_mode=2))
        method, properties, got = channel.basic_get(queue=queue, auto_ack=True)
        print(got.decode() if got is not None else "<empty>")
        connection.close()
        """;

    /// <summary>What came back, or the script's error output when it failed.</summary>
    public static async Task<(int ExitCode, string Output)> RoundTripAsync(string url, string queue, string body)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in new[] { "-", url, queue, body })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(RoundTrip);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, process.ExitCode == 0 ? (await output).Trim() : await errors);
    }
}

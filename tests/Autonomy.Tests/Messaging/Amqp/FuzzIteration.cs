using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Autonomy.Server.Messaging.Amqp;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Messaging.Amqp;

/// <summary>
/// One round of the fuzz test: a fresh connection logs in properly as the fuzzing user, sends a mutated script, reads
/// and checks all the server says, then ends the connection in one of the ways a client may (close-ok, close, abort,
/// silence). Everything random comes from the iteration's own seed, so a failure can be sent again exactly.
/// </summary>
internal sealed class FuzzIteration(int port, string password, int seed, int worker, int iteration)
{
    public const uint FrameMax = 4096;
    public const ushort ChannelMax = 8;

    /// <summary>
    /// How long a connection may stay up after the client stopped: far above the close timeout (1 s) and heartbeat
    /// timeout (2 s) the broker runs with, so that only a connection that never ends fails, however loaded the machine.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    private byte[] _sent = [];
    private List<FuzzScript.ScriptFrame> _frames = [];
    private List<string> _mutations = [];
    private ServerTranscript? _transcript;
    private string _ending = "";

    /// <summary>What the round reached: the closes the server sent and how the connection ended.</summary>
    public IEnumerable<string> Outcomes => [.. _transcript?.Closes ?? [], "ending: " + _ending];

    public static int SeedOf(int seed, int worker, int iteration) => unchecked((seed * 1_000_003) + (worker * 10_007) + iteration);

    /// <summary>Runs the round; returns what went wrong, or null.</summary>
    public async Task<string?> RunAsync()
    {
        try
        {
            return await RunRoundAsync();
        }
        catch (Exception error)
        {
            return Report($"the round itself failed: {error}");
        }
    }

    private async Task<string?> RunRoundAsync()
    {
        var random = new Random(SeedOf(seed, worker, iteration));
        _frames = FuzzScript.Generate(random, worker, FrameMax);
        _mutations = FuzzMutations.Apply(_frames, random, FrameMax, ChannelMax);
        _sent = [.. _frames.SelectMany(f => f.Octets)];
        var chunks = random.Next(1, 4);
        var choice = random.Next(100);

        await using var client = await RawAmqpClient.ConnectAsync(port);
        var opened = await client.HandshakeAsync("fuzz", password, "fuzz", heartbeat: 1, frameMax: FrameMax, channelMax: ChannelMax);
        if (opened is not ConnectionOpenOk)
        {
            return Report($"the fuzzing user's handshake was answered with {opened.Name} {opened}");
        }
        var transcript = _transcript = new ServerTranscript(client, FrameMax);
        var sending = Stopwatch.StartNew();
        await SendAsync(client, _sent, chunks);
        var sentFor = sending.Elapsed;

        // Let the answers come: until the server hangs up, or says nothing more for a moment.
        var settling = Stopwatch.StartNew();
        while (!transcript.Reading.IsCompleted && transcript.QuietFor < TimeSpan.FromMilliseconds(200) && settling.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        var aborted = false;
        if (transcript.Reading.IsCompleted)
        {
            _ending = "the server hung up";
        }
        else if (transcript.ServerClose is not null)
        {
            (_ending, aborted) = choice switch
            {
                < 50 => ("close-ok to the server's close", false),
                < 75 => ("nothing after the server's close", false),
                _ => ("abort after the server's close", true),
            };
            if (choice < 50)
            {
                await SendAsync(client, FuzzScript.Method(0, new ConnectionCloseOk()).Octets, 1);
            }
        }
        else
        {
            (_ending, aborted) = choice switch
            {
                < 60 => ("connection.close", false),
                < 85 => ("abort", true),
                _ => ("silence", false),
            };
            if (choice < 60)
            {
                await SendAsync(client, FuzzScript.Method(0, new ConnectionClose(200, "done", 0, 0)).Octets, 1);
            }
        }
        if (aborted)
        {
            client.Abort();
        }
        var ended = await Task.WhenAny(transcript.Reading, Task.Delay(HangLimit)) == transcript.Reading;
        client.Abort();
        await transcript.Reading;
        if (!ended)
        {
            return Report($"the server kept the connection open {HangLimit.TotalSeconds} s after the client's {_ending}");
        }
        if (transcript.Problems.Count > 0)
        {
            return Report(string.Join("; ", transcript.Problems));
        }
        if (!aborted && transcript.ServerClose is null && !transcript.CloseOkReceived && transcript.EndedAt - sentFor < TimeSpan.FromSeconds(1))
        {
            // A hang-up without a word is a heartbeat timeout, which cannot come this soon after the last frame.
            return Report($"the server hung up without connection.close {(transcript.EndedAt - sentFor).TotalMilliseconds:F0} ms after the last octet");
        }
        return null;
    }

    private static async Task SendAsync(RawAmqpClient client, byte[] octets, int chunks)
    {
        var size = Math.Max(1, (octets.Length + chunks - 1) / chunks);
        try
        {
            for (var at = 0; at < octets.Length; at += size)
            {
                await client.SendAsync(octets.AsMemory(at, Math.Min(size, octets.Length - at)));
            }
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The server hung up first: what it said before is in the transcript.
        }
    }

    /// <summary>The failure with all that is needed to send the same octets again: seed, iteration, mutations, a hex dump.</summary>
    public string Report(string problem)
    {
        var text = new StringBuilder();
        text.AppendLine($"AMQP fuzz failure: {problem}");
        text.AppendLine($"seed {seed} (AMQP_FUZZ_SEED={seed}), worker {worker}, iteration {iteration}, iteration seed {SeedOf(seed, worker, iteration)}");
        text.AppendLine($"handshake: PLAIN as fuzz on vhost fuzz, tune-ok channel-max {ChannelMax}, frame-max {FrameMax}, heartbeat 1; ending: {_ending}");
        text.AppendLine("mutations: " + string.Join("; ", _mutations));
        text.AppendLine("frames: " + string.Join(" | ", _frames.Select(f => f.What)));
        text.AppendLine($"octets sent after connection.open-ok ({_sent.Length}):");
        for (var at = 0; at < _sent.Length; at += 32)
        {
            text.AppendLine("  " + Convert.ToHexString(_sent, at, Math.Min(32, _sent.Length - at)));
        }
        text.AppendLine("the server answered:");
        foreach (var line in _transcript?.Log ?? [])
        {
            text.AppendLine("  " + line);
        }
        return text.ToString();
    }
}

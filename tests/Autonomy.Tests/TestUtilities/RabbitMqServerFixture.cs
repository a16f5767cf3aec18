using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Autonomy.Tests.TestUtilities;

/// <summary>
/// A real RabbitMQ node (Debian's rabbitmq-server) for the tests that need one, one per test run and shared
/// through an xunit collection; each test makes its own vhosts and users on it. It runs from
/// /usr/lib/rabbitmq/bin directly (the /usr/sbin wrappers switch to the rabbitmq user and its folders), with a
/// folder of its own (HOME and Erlang cookie, data, logs, config, enabled plugins), its own epmd, and loopback
/// ports only: AMQP on P, distribution on P+20000 (RabbitMQ's rule, so P stays below 45536), management and epmd
/// beside. A missing server fails the tests that need it, with how to install it; it never skips them.
/// </summary>
public sealed class RabbitMqServerFixture : IAsyncLifetime
{
    public const string Admin = "admin";
    public const string Bin = "/usr/lib/rabbitmq/bin";
    private const int DistributionOffset = 20000;

    private Process? _server;
    private string _folder = "";
    private Dictionary<string, string> _environment = [];

    public string AdminPassword { get; } = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 24);

    /// <summary>The AMQP port.</summary>
    public int Port { get; private set; }

    public int ManagementPort { get; private set; }

    public string NodeName => $"autonomy-{Port.ToString(CultureInfo.InvariantCulture)}@localhost";

    /// <summary>The x-autonomy.messaging setting that names this server.</summary>
    public string MessagingSetting => $"{{amqp: 'amqp://{Admin}:{AdminPassword}@127.0.0.1:{Port}', management: 'http://127.0.0.1:{ManagementPort}'}}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "rabbitmq-server")))
        {
            throw new InvalidOperationException("RabbitMQ is not installed (no /usr/lib/rabbitmq/bin/rabbitmq-server), and these tests need a real server: "
                + "run scripts/test (it installs Debian's rabbitmq-server as root) or apt-get install rabbitmq-server python3-pika");
        }
        (Port, ManagementPort, var epmd) = FreePorts();
        _folder = Path.Combine(Path.GetTempPath(), "autonomy-rmq-" + Guid.NewGuid().ToString("N")[..12]);
        var home = Path.Combine(_folder, "home");
        Directory.CreateDirectory(home);
        // The node and the CLI find each other with this cookie, read from $HOME; Erlang insists on mode 0400.
        var cookie = Path.Combine(home, ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20));
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        await File.WriteAllTextAsync(Path.Combine(_folder, "rabbitmq.conf"), $"""
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {ManagementPort}
            loopback_users = none
            default_user = {Admin}
            default_pass = {AdminPassword}
            default_user_tags.administrator = true
            log.console = false
            log.file.level = info
            disk_free_limit.absolute = 50MB

            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "enabled_plugins"), "[rabbitmq_management].\n");
        // Empty, so that /etc/rabbitmq/rabbitmq-env.conf does not apply.
        await File.WriteAllTextAsync(Path.Combine(_folder, "rabbitmq-env.conf"), "");
        var p = Port;
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Text(p),
            ["RABBITMQ_DIST_PORT"] = Text(p + DistributionOffset),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_folder, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(_folder, "rabbit.pid"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_folder, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_folder, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_folder, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_folder, "rabbitmq-env.conf"),
            ["ERL_EPMD_PORT"] = Text(epmd),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            // Loopback only for distribution; and no scheduler busy-waiting, which would take CPU from the tests beside it.
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1} +sbwt none +sbwtdcpu none +sbwtdio none",
            ["RABBITMQ_CTL_DIST_PORT_MIN"] = Text(p + DistributionOffset + 1),
            ["RABBITMQ_CTL_DIST_PORT_MAX"] = Text(p + DistributionOffset + 10),
        };
        var start = Start(Path.Combine(Bin, "rabbitmq-server"), []);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        try
        {
            await AwaitStartupAsync();
            await AwaitManagementAsync();
        }
        catch (Exception e)
        {
            var logs = Directory.Exists(Path.Combine(_folder, "log"))
                ? string.Join("\n", Directory.GetFiles(Path.Combine(_folder, "log"), "*.log").Select(f => File.ReadAllText(f)))
                : "(no log)";
            await DisposeAsync();
            throw new InvalidOperationException($"RabbitMQ did not start: {e.Message}\n{logs}", e);
        }
    }

    /// <summary>The management API as the administrator.</summary>
    public HttpClient Management()
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ManagementPort}/api/"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Admin}:{AdminPassword}")));
        return http;
    }

    /// <summary>
    /// <c>rabbitmqctl await_startup</c> waits for a booting node, but fails at once while the node has not yet
    /// registered with epmd: it is asked again until the node answers, exits, or two minutes pass.
    /// </summary>
    private async Task AwaitStartupAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            await Task.Delay(1000);
            try
            {
                await CtlAsync("await_startup", "--timeout", "120");
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline && !_server!.HasExited)
            {
            }
        }
    }

    private async Task AwaitManagementAsync()
    {
        using var http = Management();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("overview");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow >= deadline || _server!.HasExited)
            {
                throw new InvalidOperationException($"the management API on port {ManagementPort} did not answer");
            }
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            try
            {
                await CtlAsync("stop");
            }
            catch (InvalidOperationException)
            {
                // The script traps TERM and stops the VM; the fallbacks below end only what this fixture started.
                Run("kill", "-TERM", Text(_server.Id));
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _server.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }
        _server?.Dispose();
        _server = null;
        if (_environment.TryGetValue("ERL_EPMD_PORT", out var epmd))
        {
            // This fixture's own epmd, on its own port.
            Run("/usr/bin/epmd", "-port", epmd, "-kill");
        }
        if (_folder.Length > 0 && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task CtlAsync(params string[] arguments)
    {
        var start = Start(Path.Combine(Bin, "rabbitmqctl"), ["-n", NodeName, .. arguments]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await errors}");
        }
    }

    private ProcessStartInfo Start(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, WorkingDirectory = _folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }
        return start;
    }

    /// <summary>P, its distribution port P+20000, and two more for management and epmd, all free on loopback.</summary>
    private static (int Amqp, int Management, int Epmd) FreePorts()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var p = Random.Shared.Next(10000, 45536 - 10);
            int[] wanted = [p, p + 1, p + 2, .. Enumerable.Range(p + DistributionOffset, 11)];
            if (wanted.All(IsFree))
            {
                return (p, p + 1, p + 2);
            }
        }
        throw new InvalidOperationException("no free loopback ports for RabbitMQ");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}

/// <summary>The tests that share one RabbitMQ node.</summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqServerFixture>
{
    public const string Name = "rabbitmq";
}

using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>The examples take their settings from the config center and follow a change without a restart.</summary>
public sealed partial class ExamplesTests
{
    /// <summary>A service's port and its replicas' pids, from <c>ps --format json</c>.</summary>
    private static async Task<(int Port, int?[] Pids)> ServiceAsync(string folder, string name, IDictionary<string, string?>? env = null)
    {
        var ps = await Repository.RunAutonomyAsync(folder, ["ps", "--format", "json"], env);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        var service = JsonDocument.Parse(ps.StandardOutput).RootElement.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
        var pids = service.GetProperty("replicas").EnumerateArray()
            .Select(r => r.GetProperty("pid").ValueKind == JsonValueKind.Number ? r.GetProperty("pid").GetInt32() : (int?)null).ToArray();
        return (service.GetProperty("port").GetInt32(), pids);
    }

    private static async Task ConfigSetAsync(string folder, string ns, string key, string value, IDictionary<string, string?>? env = null)
    {
        var set = await Repository.RunAutonomyAsync(folder, ["config", "set", ns, key, value], env);
        Assert.True(set.ExitCode == 0, set.ToString());
    }

    /// <summary>Asks <paramref name="url"/> until the answer holds <paramref name="expected"/>; fails with the last answer after a few seconds.</summary>
    private static async Task<string> AnswerSoonAsync(HttpClient http, string url, Func<string, bool> expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var answer = await http.GetStringAsync(url);
            if (expected(answer))
            {
                return answer;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the answer did not change in time; it is still: {answer}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task HelloTakesItsGreetingFromTheConfigCenterWithoutARestart()
    {
        var folder = CopyExample("hello");
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"]);
            Assert.True(up.ExitCode == 0, up.ToString());
            var (port, pids) = await ServiceAsync(folder, "hello");
            using var http = new HttpClient();
            var url = $"http://127.0.0.1:{port}/";
            Assert.Equal("Hello from hello-1\n", await http.GetStringAsync(url));

            await ConfigSetAsync(folder, "hello", "Greeting", "Hi there");

            Assert.Equal("Hi there from hello-1\n", await AnswerSoonAsync(http, url, a => a.StartsWith("Hi there", StringComparison.Ordinal)));
            Assert.Equal(pids, (await ServiceAsync(folder, "hello")).Pids);
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"]);
        }
    }

    [Fact]
    public async Task TheFlaskAppTakesItsGreetingFromTheConfigCenterWithoutARestart()
    {
        var folder = CopyExample("flask");
        var port = FreePort();
        var env = new Dictionary<string, string?> { ["WEB_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["PATH"] = "/usr/bin:/bin" };
        try
        {
            await ExampleFolder.SetFlaskSecretsAsync(folder, env);
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            var (_, pids) = await ServiceAsync(folder, "web", env);
            using var http = new HttpClient();
            var url = $"http://127.0.0.1:{port}/";
            Assert.Contains("Hello from an autonomous service", await http.GetStringAsync(url));

            await ConfigSetAsync(folder, "web", "GREETING", "Hi from the config center", env);

            var answer = await AnswerSoonAsync(http, url, a => a.Contains("Hi from the config center", StringComparison.Ordinal));
            Assert.Equal("Hi from the config center", JsonDocument.Parse(answer).RootElement.GetProperty("greeting").GetString());
            Assert.Equal(pids, (await ServiceAsync(folder, "web", env)).Pids);
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"], env);
        }
    }

    [Fact]
    public async Task TheStorefrontShowsABannerFromTheConfigCenterWithoutARestart()
    {
        var folder = CopyExample("shop");
        var port = FreePort();
        var env = new Dictionary<string, string?> { ["SHOP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        try
        {
            var up = await Repository.RunAutonomyAsync(folder, ["up", "-d"], env);
            Assert.True(up.ExitCode == 0, up.ToString());
            var (_, pids) = await ServiceAsync(folder, "storefront", env);
            using var http = new HttpClient();
            var url = $"http://127.0.0.1:{port}/";
            var page = await http.GetStringAsync(url);
            Assert.Contains("<h1>Shop</h1>", page);
            Assert.DoesNotContain("banner", page);

            await ConfigSetAsync(folder, "storefront", "Banner", "Free delivery this week", env);
            await ConfigSetAsync(folder, "storefront", "Title", "Tea & Co", env);

            page = await AnswerSoonAsync(http, url, a => a.Contains("Tea &amp; Co", StringComparison.Ordinal));
            Assert.Contains("<p class=\"banner\">Free delivery this week</p>", page);
            Assert.Contains("<h1>Tea &amp; Co</h1>", page);
            Assert.Equal(pids, (await ServiceAsync(folder, "storefront", env)).Pids);
        }
        finally
        {
            await Repository.RunAutonomyAsync(folder, ["down"], env);
        }
    }
}

using Autonomy.Tests.TestUtilities;
using Microsoft.Playwright;

namespace Autonomy.Tests.Dashboard;

/// <summary>
/// One running project with three health-checked services (jobs is the one the tests restart and stop) and one headless Chromium (Debian's, as root needs
/// --no-sandbox), shared by a test class: each test opens its own browser context, so cookies never carry over.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public RunningServer Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests save a screenshot of each page they visit (under the test output, not in the repository).</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public string AdminToken => Autonomy.Server.Hosting.ServerRecord.AdminToken(Server.Plane.StateDirectory);

    public async Task InitializeAsync()
    {
        // The browser tests are part of the suite: a machine without the browser fails them, saying how to fix it.
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: install Debian's chromium (apt-get install chromium; scripts/test does it as root)");
        }
        Directory.CreateDirectory(Screenshots);
        Server = await RunningServer.StartAsync("name: dash\nservices:\n" + TestApps.HttpService("web") + TestApps.HttpService("api") + TestApps.HttpService("jobs"),
            new Dictionary<string, string> { ["app.py"] = TestApps.HttpApp });
        // The package's driver runs from the test output; the browser is the system's, so nothing is downloaded.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh browser context (no cookies) on a page at the dashboard's address.</summary>
    public async Task<IPage> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 800 },
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        return page;
    }

    public static async Task SignInAsync(IPage page, string token)
    {
        await page.Locator("#token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#shell")).ToBeVisibleAsync();
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

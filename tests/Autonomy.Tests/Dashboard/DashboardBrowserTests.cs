using System.Text.Json;
using Autonomy.Server.Governance;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Autonomy.Tests.Dashboard;

/// <summary>The dashboard as an operator uses it, in headless Chromium against a running project of health-checked services.</summary>
public sealed class DashboardBrowserTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task AnAdminSignsInSeesEveryServiceHealthyAndAScaledReplicaAppearsWithoutAReload()
    {
        var page = await fixture.OpenAsync();
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "sign-in");
        await DashboardFixture.SignInAsync(page, fixture.AdminToken);

        // Every service and replica is listed, healthy, from the live stream.
        foreach (var service in new[] { "web", "api" })
        {
            var row = page.Locator($"tr.service[data-service='{service}']");
            await Assertions.Expect(row.Locator(".pill.healthy")).ToBeVisibleAsync();
            await Assertions.Expect(row.Locator(".pill.running")).ToBeVisibleAsync();
        }
        Assert.Equal(await page.Locator("tr.replica").CountAsync(), await page.Locator("tr.replica .pill.healthy").CountAsync());
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("live");
        // The token went to the server only: the page keeps nothing of it, and its cookie is out of the page's reach.
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length + sessionStorage.length"));
        var cookie = (await page.Context.CookiesAsync()).Single();
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(fixture.AdminToken, cookie.Value, StringComparison.Ordinal);
        output.WriteLine($"screenshots: {DashboardFixture.Screenshots}");
        await DashboardFixture.ScreenshotAsync(page, "services");

        var before = await page.Locator("tr.replica[data-of='api']").CountAsync();
        await page.EvaluateAsync("window.notReloaded = true");
        await page.GetByLabel("Replicas of api").FillAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Scale api" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.replica[data-of='api']")).ToHaveCountAsync(before + 1);
        await Assertions.Expect(page.Locator($"tr.replica[data-replica='api-{before + 1}'] .pill.healthy")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"));
        Assert.Equal(before + 1, fixture.Server.Plane.Supervisor.Status().Single(s => s.Name == "api").Replicas.Count);
        await DashboardFixture.ScreenshotAsync(page, "services-scaled");

        // The pages to come are in the navigation already; signing out ends the session.
        await page.GetByRole(AriaRole.Link, new() { Name = "Logs" }).ClickAsync();
        await Assertions.Expect(page.Locator(".coming-page")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "logs-coming");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdminRestartsAServiceAndStopsItFromThePage()
    {
        var page = await fixture.OpenAsync();
        await DashboardFixture.SignInAsync(page, fixture.AdminToken);
        await Assertions.Expect(page.Locator("tr.replica[data-of='jobs'] .pill.healthy")).ToHaveCountAsync(1);
        int?[] Pids() => [.. fixture.Server.Plane.Supervisor.Status().Single(s => s.Name == "jobs").Replicas.Select(r => r.Pid)];
        var before = Pids();

        // The notice stays while the call runs (the restart answers once every replica was replaced).
        await page.GetByRole(AriaRole.Button, new() { Name = "Restart jobs" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notice")).ToBeHiddenAsync();
        Assert.DoesNotContain(Pids().Single(), before);
        await Assertions.Expect(page.Locator("tr.replica[data-of='jobs'] .pill.healthy")).ToHaveCountAsync(1);

        // Stopping asks first; then the service has no replica left, and says so.
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop jobs" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr.service[data-service='jobs'] .pill.stopped")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr.replica[data-of='jobs']")).ToHaveCountAsync(0);
        Assert.Empty(Pids());
        await DashboardFixture.ScreenshotAsync(page, "services-stopped");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AReadOnlyTokenSeesNoActionAndAForgedOneIsRefused()
    {
        var permissions = Roles.Resolve(Roles.ReadOnly, fixture.Server.Plane.Supervisor.Project, out _)!;
        var (_, token) = await fixture.Server.Plane.Tokens.CreateAsync(Roles.ReadOnly, permissions, null, "viewer", null, CancellationToken.None);
        var page = await fixture.OpenAsync();
        await DashboardFixture.SignInAsync(page, token);
        await Assertions.Expect(page.Locator("tr.service[data-service='web'] .pill.healthy")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#role")).ToHaveTextAsync("read-only");
        Assert.Equal(0, await page.Locator("main button").CountAsync());
        Assert.Equal(0, await page.Locator("main input").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Columnheader, new() { Name = "Actions" }).CountAsync());
        await DashboardFixture.ScreenshotAsync(page, "services-read-only");

        // The page's own session, CSRF token and all, still cannot act: the server refuses for the role.
        var answer = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const session = await (await fetch("/ui/session")).json();
              const response = await fetch("/v1/services/web/scale", {
                method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": session.csrf }, body: JSON.stringify({ replicas: 3 }) });
              return { status: response.status, body: await response.json(), canAct: session.canAct };
            }
            """);
        Assert.Equal(403, answer.GetProperty("status").GetInt32());
        Assert.Equal("urn:autonomy:problem:forbidden", answer.GetProperty("body").GetProperty("type").GetString());
        Assert.False(answer.GetProperty("canAct").GetBoolean());
        Assert.Single(fixture.Server.Plane.Supervisor.Status().Single(s => s.Name == "web").Replicas);
        await page.Context.CloseAsync();
    }
}

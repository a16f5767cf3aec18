using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Dashboard;

/// <summary>The dashboard's session over plain HTTP: cookie, CSRF, sign-out, and the bearer API left as it was.</summary>
public sealed class DashboardSessionTests
{
    private const string Compose = "name: dashsession\nservices:\n  orders:\n    command: sleep 300\n";

    [Fact]
    public async Task ASessionCookieActsOnlyWithItsCsrfTokenAndBearerClientsNeedNone()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        var (cookie, csrf) = await SignInAsync(server, browser, Autonomy.Server.Hosting.ServerRecord.AdminToken(server.Plane.StateDirectory));

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/v1/services", cookie, null)).StatusCode);
        using var noHeader = await Send(HttpMethod.Post, "/v1/services/orders/scale", cookie, null, new { replicas = 1 });
        Assert.Equal(HttpStatusCode.Forbidden, noHeader.StatusCode);
        Assert.Equal("urn:autonomy:problem:csrf", JsonDocument.Parse(await noHeader.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Post, "/v1/services/orders/scale", cookie, csrf + "x", new { replicas = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/v1/services/orders/scale", cookie, csrf, new { replicas = 1 })).StatusCode);
        // A bearer client is unchanged: no cookie, no CSRF token.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostAsJsonAsync("/v1/services/orders/scale", new { replicas = 1 })).StatusCode);

        // After sign-out the cookie stands for nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/ui/session", cookie, csrf)).StatusCode);
        using var after = await Send(HttpMethod.Get, "/v1/services", cookie, null);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("sign in again", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(HttpMethod.Get, "/ui/session", cookie, null)).StatusCode);

        async Task<HttpResponseMessage> Send(HttpMethod method, string path, string sessionCookie, string? csrfToken, object? body = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Add("Cookie", sessionCookie);
            if (csrfToken is not null)
            {
                request.Headers.Add("X-CSRF-Token", csrfToken);
            }
            return await browser.SendAsync(request);
        }
    }

    [Fact]
    public async Task ABadTokenOrAnotherSiteDoesNotSignInAndARevokedTokenEndsItsSession()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        using var wrong = await browser.PostAsJsonAsync("/ui/session", new { token = "not-a-token" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Contains("not known", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/ui/session")
        {
            Content = JsonContent.Create(new { token = Autonomy.Server.Hosting.ServerRecord.AdminToken(server.Plane.StateDirectory) }),
        };
        crossSite.Headers.Add("Origin", "http://elsewhere.example");
        using var refusedCrossSite = await browser.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, refusedCrossSite.StatusCode);
        Assert.False(refusedCrossSite.Headers.Contains("Set-Cookie"));

        var created = JsonDocument.Parse(await (await server.Http.PostAsJsonAsync("/v1/tokens", new { role = "read-only" })).Content.ReadAsStringAsync()).RootElement;
        var (cookie, _) = await SignInAsync(server, browser, created.GetProperty("token").GetString()!);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/services");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync($"/v1/tokens/{created.GetProperty("id").GetString()}")).StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/v1/services");
        again.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task ThePageIsServedWithAStrictPolicyAndTheServiceStreamSendsTheServices()
    {
        await using var server = await RunningServer.StartAsync(Compose);
        using var anonymous = server.Client(null);
        using var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/ui/nothing.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/services/events")).StatusCode);

        using var stream = await server.Http.GetStreamAsync("/v1/services/events");
        using var reader = new StreamReader(stream);
        Assert.Equal("event: services", await reader.ReadLineAsync());
        var data = await reader.ReadLineAsync();
        Assert.StartsWith("data: ", data, StringComparison.Ordinal);
        var services = JsonDocument.Parse(data!["data: ".Length..]).RootElement;
        Assert.Equal("orders", services[0].GetProperty("name").GetString());
        Assert.Equal("running", services[0].GetProperty("state").GetString());
    }

    private static async Task<(string Cookie, string Csrf)> SignInAsync(RunningServer server, HttpClient browser, string token)
    {
        using var signedIn = await browser.PostAsJsonAsync("/ui/session", new { token });
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var setCookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith($"autonomy_session_{server.BaseAddress.Port}=", setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain(token, setCookie, StringComparison.Ordinal);
        var csrf = JsonDocument.Parse(await signedIn.Content.ReadAsStringAsync()).RootElement.GetProperty("csrf").GetString()!;
        return (setCookie.Split(';')[0], csrf);
    }
}

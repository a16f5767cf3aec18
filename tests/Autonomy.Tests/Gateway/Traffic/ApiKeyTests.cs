using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autonomy.Server.Gateway.Traffic;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>API keys on routes that require or accept one, through real HTTP requests.</summary>
public sealed class ApiKeyTests
{
    [Fact]
    public async Task ARequiredKeyIsCheckedForPresenceRouteAndRevocation()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"api_key": "required"}"""), ("orders/1", """{"api_key": "required"}"""), ("billing/0", """{"api_key": "required"}"""));
        var (ordersKey, orders) = await fixture.CreateKeyAsync(["orders/0"]);
        var (billingKey, billing) = await fixture.CreateKeyAsync(["billing"]);
        using var client = fixture.Host.Client();

        await AssertProblemAsync(await client.GetAsync("/orders/0/"), HttpStatusCode.Unauthorized, "api-key-required",
            "route orders/0 needs an API key: send it as 'X-Api-Key: <key>' or 'Authorization: ApiKey <key>'");
        await AssertProblemAsync(await Send(client, "/orders/0/", "ak_" + new string('x', 43)), HttpStatusCode.Unauthorized, "api-key-unknown", "is not one of this project's");
        await AssertProblemAsync(await Send(client, "/orders/0/", billing), HttpStatusCode.Forbidden, "api-key-not-for-route",
            $"API key {billingKey.Id} opens billing, not route orders/0");
        await AssertProblemAsync(await Send(client, "/orders/1/", orders), HttpStatusCode.Forbidden, "api-key-not-for-route", "not route orders/1");

        // A valid key goes through; the service sees which key, never the key.
        using (var ok = await Send(client, "/orders/0/", orders))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal($"key-id={ordersKey.Id};x-api-key=;authorization=", await ok.Content.ReadAsStringAsync());
        }
        // A service name opens each of its routes; Authorization: ApiKey works as well as X-Api-Key.
        var request = new HttpRequestMessage(HttpMethod.Get, "/billing/0/");
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", billing);
        using (var ok = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal($"key-id={billingKey.Id};x-api-key=;authorization=", await ok.Content.ReadAsStringAsync());
        }

        await fixture.Traffic.Keys.RevokeAsync(ordersKey, null, CancellationToken.None);
        await AssertProblemAsync(await Send(client, "/orders/0/", orders), HttpStatusCode.Forbidden, "api-key-revoked", $"API key {ordersKey.Id} was revoked at ");

        // Revocation is kept: a restarted server refuses the key too.
        await fixture.RestartAsync();
        fixture.Load(("orders/0", """{"api_key": "required"}"""), ("billing/0", """{"api_key": "required"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(client, "/orders/0/", orders)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(client, "/billing/0/", billing)).StatusCode);
    }

    [Fact]
    public async Task AnOptionalKeyMayBeLeftOutButIsCheckedWhenSent()
    {
        await using var fixture = await TrafficFixture.StartAsync();
        fixture.Load(("orders/0", """{"api_key": "optional"}"""), ("open/0", """{"path": "/"}"""));
        var (_, other) = await fixture.CreateKeyAsync(["billing/0"]);
        var (key, orders) = await fixture.CreateKeyAsync(["orders/0"]);
        using var client = fixture.Host.Client();

        Assert.Equal("key-id=;x-api-key=;authorization=", await (await client.GetAsync("/orders/0/")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(client, "/orders/0/", other)).StatusCode);
        Assert.Equal($"key-id={key.Id};x-api-key=;authorization=", await (await Send(client, "/orders/0/", orders)).Content.ReadAsStringAsync());

        // A route without keys passes them on untouched, and no client can claim to be a key.
        var request = new HttpRequestMessage(HttpMethod.Get, "/open/0/");
        request.Headers.Add("X-Api-Key", "theirs");
        request.Headers.Add(TrafficControl.KeyIdHeader, key.Id);
        using var open = await client.SendAsync(request);
        Assert.Equal("key-id=;x-api-key=theirs;authorization=", await open.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheStoreKeepsAHashOfEachKeyAndNeverTheKey()
    {
        string secret;
        string path;
        await using (var fixture = await TrafficFixture.StartAsync())
        {
            (_, secret) = await fixture.CreateKeyAsync(["orders/0"], "10/day");
            Assert.Matches("^ak_[A-Za-z0-9_-]{43}$", secret);
            path = fixture.StorePath;
            var onDisk = ReadAll(path);
            Assert.DoesNotContain(secret, onDisk, StringComparison.Ordinal);
            Assert.Contains(Server.Governance.TokenHash.Of(secret).ToHex(), onDisk, StringComparison.Ordinal);
        }
    }

    private static string ReadAll(string path) => string.Concat(new[] { "", "-wal" }.Where(s => File.Exists(path + s))
        .Select(s => Encoding.Latin1.GetString(File.ReadAllBytes(path + s))));

    private static Task<HttpResponseMessage> Send(HttpClient client, string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", key);
        return client.SendAsync(request);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type, string detail)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal($"urn:autonomy:problem:{type}", problem.RootElement.GetProperty("type").GetString());
            Assert.Contains(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}

using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Autonomy.Tests.Gateway.Traffic;

/// <summary>Quotas per API key per UTC day or month: enforced, reset with the period, and kept across restarts and crashes.</summary>
public sealed class QuotaTests
{
    private const string Route = """{"api_key": "required"}""";

    [Fact]
    public async Task ASpentQuotaIsAnswered429UntilTheNextDay()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await using var fixture = await TrafficFixture.StartAsync(time);
        fixture.Load(("orders/0", Route));
        var (key, secret) = await fixture.CreateKeyAsync(["orders/0"], "3/day");
        using var client = fixture.Host.Client();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        }
        using (var refused = await Send(client, secret))
        {
            Assert.Equal("50400", refused.Headers.GetValues("Retry-After").Single());
            await ApiKeyTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "quota-exceeded",
                $"API key {key.Id} has a quota of 3 requests a day (UTC), all used; it resets at 2026-11-26T00:00:00Z");
        }
        Assert.Equal((long?)3, key.Quota!.Use(time.GetUtcNow()).Used);

        time.SetUtcNow(new DateTimeOffset(2026, 11, 26, 0, 0, 1, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        Assert.Equal(("2026-11-26", 1L), key.Quota.Use(time.GetUtcNow()));
    }

    [Fact]
    public async Task AMonthlyQuotaResetsOnTheFirstOfTheNextMonth()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero));
        await using var fixture = await TrafficFixture.StartAsync(time);
        fixture.Load(("orders/0", Route));
        var (_, secret) = await fixture.CreateKeyAsync(["orders/0"], "1/month");
        using var client = fixture.Host.Client();

        Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        using (var refused = await Send(client, secret))
        {
            Assert.Equal("3600", refused.Headers.GetValues("Retry-After").Single());
            await ApiKeyTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "quota-exceeded", "1 requests a month (UTC), all used; it resets at 2027-01-01T00:00:00Z");
        }
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
    }

    [Fact]
    public async Task AQuotaIsStillEnforcedAfterTheStoreIsClosedAndOpenedAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await using var fixture = await TrafficFixture.StartAsync(time);
        fixture.Load(("orders/0", Route));
        var (key, secret) = await fixture.CreateKeyAsync(["orders/0"], "5/day");
        using var client = fixture.Host.Client();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        }

        await fixture.RestartAsync();
        fixture.Load(("orders/0", Route));
        Assert.Equal(("2026-11-25", 3L), fixture.Traffic.Keys.ById(key.Id)!.Quota!.Use(time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(client, secret)).StatusCode);
    }

    [Fact]
    public async Task ACrashLosesAtMostOneBlockAndNeverLetsMoreThanTheQuotaThrough()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await using var fixture = await TrafficFixture.StartAsync(time);
        fixture.Load(("orders/0", Route));
        // 300 a day: blocks of 3, so 7 requests have reserved 9.
        var (key, secret) = await fixture.CreateKeyAsync(["orders/0"], "300/day");
        using var client = fixture.Host.Client();
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        }
        Assert.Equal(9, Reserved(fixture.OpenPath, key.Id, "2026-11-25"));

        await fixture.CrashAndRestartAsync();
        fixture.Load(("orders/0", Route));
        var used = fixture.Traffic.Keys.ById(key.Id)!.Quota!.Use(time.GetUtcNow()).Used;
        Assert.InRange(used, 7, 7 + 3);

        // What is left of the quota, from clients racing each other, and not one request more.
        var admitted = 0;
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 320), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await Send(client, secret);
            Interlocked.Increment(ref response.StatusCode == HttpStatusCode.OK ? ref admitted : ref refused);
        });
        Assert.Equal(300 - used, admitted);
        Assert.Equal(320 - admitted, refused);
        Assert.Equal(300, Reserved(fixture.OpenPath, key.Id, "2026-11-25"));
    }

    [Fact]
    public async Task UseTheStoreCannotRecordIsNotLetThrough()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        await using var fixture = await TrafficFixture.StartAsync(time);
        fixture.Load(("orders/0", Route));
        var (_, secret) = await fixture.CreateKeyAsync(["orders/0"], "300/day");
        using var client = fixture.Host.Client();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(client, secret)).StatusCode);
        }

        // The block of 3 is used: the next request needs a reservation, which the closed store cannot take.
        await fixture.CloseStoreAsync();
        using var refused = await Send(client, secret);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        await ApiKeyTests.AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "quota-unavailable", "the platform's store did not take the quota's use");
    }

    private static long Reserved(string path, string keyId, string period)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT reserved FROM api_key_usage WHERE key_id = $id AND period = $period";
        command.Parameters.AddWithValue("$id", keyId);
        command.Parameters.AddWithValue("$period", period);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/orders/0/");
        request.Headers.Add("X-Api-Key", key);
        return client.SendAsync(request);
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>Import is one revision or nothing; export gives back what was imported; a bad file names its line and column.</summary>
public sealed class ConfigImportExportTests : IAsyncLifetime
{
    private const string FlaskCfg = "[DEFAULT]\nSECRET_KEY ='supersecretkey'\n\n[flask]\nDEBUG = True\nTESTING = False\nJSONIFY_PRETTYPRINT_REGULAR = True\n";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync("name: importexport\nservices:\n  web:\n    command: sleep 300\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> Import(string format, string text, string mode = "merge")
    {
        using var response = await _server.Http.PostAsync($"/v1/config/web/import?format={format}&mode={mode}", new StringContent(text, Encoding.UTF8, "text/plain"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<Dictionary<string, string>> Entries() =>
        JsonDocument.Parse(await _server.Http.GetStringAsync("/v1/config/web")).RootElement.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString()!);

    [Fact]
    public async Task TheArticlesFlaskCfgImportsAsOneRevisionAndExportsBackExactly()
    {
        var before = _server.Plane.Config.Store.Revision;
        var (status, body) = await Import("ini", FlaskCfg);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(before + 1, body.GetProperty("revision").GetInt64());
        Assert.Equal(4, body.GetProperty("set").GetInt32());
        Assert.Equal(new Dictionary<string, string>
        {
            ["SECRET_KEY"] = "'supersecretkey'",
            ["flask:DEBUG"] = "True",
            ["flask:TESTING"] = "False",
            ["flask:JSONIFY_PRETTYPRINT_REGULAR"] = "True",
        }, await Entries());

        var ini = await _server.Http.GetStringAsync("/v1/config/web/export?format=ini");
        Assert.Contains("SECRET_KEY = 'supersecretkey'", ini, StringComparison.Ordinal);
        var json = JsonDocument.Parse(await _server.Http.GetStringAsync("/v1/config/web/export?format=json")).RootElement;
        Assert.Equal("True", json.GetProperty("flask").GetProperty("DEBUG").GetString());
    }

    [Fact]
    public async Task AFileWithErrorsImportsNothingAndSaysWhere()
    {
        await Import("ini", FlaskCfg);
        var before = _server.Plane.Config.Store.Revision;
        var (status, body) = await Import("json", "{\n  \"a\": 1,\n  \"b\": \n}\n");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("urn:autonomy:problem:invalid-file", body.GetProperty("type").GetString());
        var error = body.GetProperty("errors")[0];
        Assert.Equal(4, error.GetProperty("line").GetInt32());
        Assert.Equal(1, error.GetProperty("column").GetInt32());
        Assert.Equal(before, _server.Plane.Config.Store.Revision);
        Assert.Equal(4, (await Entries()).Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await Import("toml", "a = 1")).Status);
    }

    [Fact]
    public async Task ReplaceDeletesWhatTheFileLacksInTheSameRevision()
    {
        await Import("ini", FlaskCfg);
        var (_, body) = await Import("env", "SECRET_KEY=rotated\nflask__DEBUG=False\n", mode: "replace");
        Assert.Equal(2, body.GetProperty("deleted").GetInt32());
        Assert.Equal(new Dictionary<string, string> { ["SECRET_KEY"] = "rotated", ["flask:DEBUG"] = "False" }, await Entries());
        var revisions = JsonDocument.Parse(await _server.Http.GetStringAsync("/v1/config/web/history?limit=10")).RootElement
            .EnumerateArray().Select(c => c.GetProperty("revision").GetInt64()).Distinct().Count();
        Assert.Equal(2, revisions); // the first import and the replace
    }

    [Fact]
    public async Task EachFormatRoundTripsThroughTheServer()
    {
        await Import("yaml", "server:\n  port: 8080\n  hosts: [a, b]\ngreeting: \"hello: world\"\nenabled: true\n");
        var original = await Entries();
        foreach (var format in new[] { "json", "yaml", "properties", "env", "ini" })
        {
            var text = await _server.Http.GetStringAsync($"/v1/config/web/export?format={format}");
            var (status, _) = await Import(format, text, mode: "replace");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(original, await Entries());
        }
    }
}

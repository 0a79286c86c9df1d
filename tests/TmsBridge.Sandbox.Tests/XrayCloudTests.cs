using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

public sealed class XrayCloudTests
{
    private const string Path = SandboxClient.CloudImportPath;
    private const string Minimal = """{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""";

    private static string S(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public async Task Authenticate_answers_a_JSON_string_token_that_opens_the_import()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync("api/v2/authenticate",
            $$"""{"client_id":"{{SandboxSeed.DemoCloudClientId}}","client_secret":"{{SandboxSeed.DemoCloudClientSecret}}"}""", null);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.MediaType);
        Assert.StartsWith("\"eyJ", reply.Text);          // a JSON string, quotes included
        var token = reply.Json.GetValue<string>();
        Assert.Equal(3, token.Split('.').Length);          // JWT-shaped
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1]))))!;
        Assert.Equal(86400, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.OK, (await sb.PostBearerAsync(Path, Minimal, token)).Status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"client_id":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}""")]
    [InlineData("""{"client_id":1,"client_secret":"x"}""")]
    [InlineData("""["client_id","client_secret"]""")]
    public async Task Authenticate_with_a_bad_body_is_400_text(string body)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync("api/v2/authenticate", body, null);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("text/plain", reply.MediaType);
    }

    [Fact]
    public async Task Authenticate_with_wrong_credentials_is_401_and_secret_not_echoed()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync("api/v2/authenticate",
            $$"""{"client_id":"{{SandboxSeed.DemoCloudClientId}}","client_secret":"wrong-secret-123"}""", null);
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("Authentication failed. Invalid client credentials!", reply.Error);
        Assert.DoesNotContain("wrong-secret-123", reply.Text);
        Assert.DoesNotContain("wrong-secret-123", (await sb.StateAsync()).ToJsonString());
    }

    [Fact]
    public async Task Import_without_token_with_DC_credentials_or_unknown_token_is_401()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.PostBearerAsync(Path, Minimal, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.PostBearerAsync(Path, Minimal, "sandbox-pat-token")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.ImportAsync(Minimal, Path)).Status); // Basic admin:admin
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);
    }

    [Fact]
    public async Task Expired_tokens_are_401_until_the_client_authenticates_again()
    {
        await using var sb = await SandboxClient.StartAsync();
        var token = await sb.CloudTokenAsync();
        var expire = await sb.ControlAsync("_sandbox/xray-cloud/expire-tokens", "");
        Assert.Equal(HttpStatusCode.OK, expire.Status);
        Assert.Equal(1, expire.Json["expired"]!.GetValue<int>());

        var refused = await sb.PostBearerAsync(Path, Minimal, token);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Contains("expired", refused.Error);
        Assert.Equal(HttpStatusCode.OK, (await sb.PostBearerAsync(Path, Minimal, await sb.CloudTokenAsync())).Status);
    }

    [Fact]
    public async Task Token_lifetime_comes_from_the_options()
    {
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { XrayCloudTokenLifetime = TimeSpan.FromMilliseconds(1) });
        var token = await sb.CloudTokenAsync();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.PostBearerAsync(Path, Minimal, token)).Status);
    }

    [Fact]
    public async Task Happy_import_stores_Cloud_statuses_iterations_with_name_and_log_and_evidence_digest()
    {
        await using var sb = await SandboxClient.StartAsync();
        var png = RandomNumberGenerator.GetBytes(2048);
        var body = new JsonObject
        {
            ["info"] = new JsonObject
            {
                ["project"] = "DEMO", ["summary"] = "Cloud nightly", ["description"] = "run marker r-1",
                ["testEnvironments"] = new JsonArray("ci", "linux"), ["testPlanKey"] = "DEMO-301",
                ["startDate"] = "2024-05-01T10:00:00Z",
            },
            ["tests"] = new JsonArray(
                new JsonObject
                {
                    ["testKey"] = "DEMO-1", ["status"] = "PASSED",
                    ["evidence"] = new JsonArray(new JsonObject { ["data"] = Convert.ToBase64String(png), ["filename"] = "screen.png", ["contentType"] = "image/png" }),
                },
                new JsonObject
                {
                    ["testKey"] = "DEMO-2", ["status"] = "FAILED", ["defects"] = new JsonArray("DEMO-200"),
                    ["iterations"] = new JsonArray(
                        new JsonObject { ["name"] = "bob", ["log"] = "all good", ["status"] = "PASSED", ["parameters"] = new JsonArray(new JsonObject { ["name"] = "user", ["value"] = "bob" }) },
                        new JsonObject { ["name"] = "eve", ["status"] = "FAILED" }),
                },
                new JsonObject { ["status"] = "TODO", ["testInfo"] = new JsonObject { ["projectKey"] = "DEMO", ["summary"] = "new", ["type"] = "Generic", ["definition"] = "Ns.C.M" } }),
        };

        var reply = await sb.PostBearerAsync(Path, body.ToJsonString(), await sb.CloudTokenAsync());

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var json = reply.Json.AsObject();
        Assert.Equal(["id", "key", "self"], json.Select(p => p.Key));   // only these: no testIssues on Cloud
        Assert.Equal(("DEMO-1000", "11000"), (S(json["key"]), S(json["id"])));
        Assert.Equal($"{sb.Server.BaseAddress}rest/api/2/issue/11000", S(json["self"]));

        var snapshot = sb.Server.State.Snapshot();
        Assert.Empty(snapshot.Xray.Executions);                         // a different Jira site
        var exec = snapshot.XrayCloud.Executions.Single();
        Assert.Equal(("Cloud nightly", "run marker r-1", "DEMO-301"), (exec.Summary, exec.Description, exec.TestPlanKey));
        Assert.Equal(["ci", "linux"], exec.TestEnvironments);
        Assert.Equal(["PASSED", "FAILED", "TODO"], exec.Tests.Select(t => t.Status));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), exec.Tests[0].Evidence.Single().Sha256);
        Assert.Equal(("bob", "all good"), (exec.Tests[1].Iterations[0].Name, exec.Tests[1].Iterations[0].Log));
        Assert.Null(exec.Tests[1].Iterations[1].Log);
        Assert.Equal(["DEMO-200"], exec.Tests[1].Defects);
        Assert.Equal("DEMO-500", exec.Tests[2].TestKey);                // provisioned on the Cloud site

        var state = await sb.StateAsync();
        var it = state["xrayCloud"]!["executions"]![0]!["tests"]![1]!["iterations"]!;
        Assert.Equal("all good", S(it[0]!["log"]));
        Assert.False(it[1]!.AsObject().ContainsKey("log"));
        Assert.True(state["xrayCloud"]!["tests"]![0]!["provisioned"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cloud_and_DC_keep_separate_execution_stores_and_key_counters()
    {
        await using var sb = await SandboxClient.StartAsync();
        var dc = await sb.ImportAsync("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");
        var cloud = await sb.PostBearerAsync(Path, Minimal, await sb.CloudTokenAsync());
        Assert.Equal("DEMO-1000", S(dc.Json["testExecIssue"]!["key"]));
        Assert.Equal("DEMO-1000", S(cloud.Json["key"]));
        // DC's DEMO-1000 is not an execution on the Cloud site until Cloud creates its own; reuse works per site.
        var reuse = await sb.PostBearerAsync(Path, """{"testExecutionKey":"DEMO-1000","tests":[{"testKey":"DEMO-3","status":"ABORTED"}]}""", await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.OK, reuse.Status);
        var snap = sb.Server.State.Snapshot();
        Assert.Equal(["DEMO-1", "DEMO-3"], snap.XrayCloud.Executions.Single().Tests.Select(t => t.TestKey));
        Assert.Equal(2, snap.XrayCloud.Executions.Single().Imports);
        Assert.Equal(["DEMO-1"], snap.Xray.Executions.Single().Tests.Select(t => t.TestKey));
    }

    [Theory]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","foo":1}]}""", "Unknown property 'tests[0].foo'.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S","bar":"x"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", "Unknown property 'info.bar'.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"status":"PASSED","testInfo":{"projectKey":"DEMO","summary":"x","testType":"Generic"}}]}""", "Unknown property 'tests[0].testInfo.testType' (Server/DC spelling; Xray Cloud uses 'type').")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"status":"PASSED","testInfo":{"projectKey":"DEMO","summary":"x"}}]}""", "Property 'tests[0].testInfo.type' is required.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1"}]}""", "Property 'tests[0].status' is required.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","steps":[],"iterations":[]}]}""", "Properties 'tests[0].steps' and 'tests[0].iterations' are mutually exclusive.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","evidence":[],"evidences":[]}]}""", "Properties 'tests[0].evidence' and 'tests[0].evidences' are mutually exclusive.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S","startDate":"2024-05-01 10:00"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", "Property 'info.startDate' must be an ISO-8601 date-time")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","examples":["PASS"]}]}""", "must be one of EXECUTING, FAILED, PASSED, TODO, not 'PASS'.")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","iterations":[{"status":"PASSED","duration":"1s"}]}]}""", "Unknown property 'tests[0].iterations[0].duration'")]
    [InlineData("""{"info":{"project":"DEMO","summary":"S"},"tests":[]}""", "No execution results where provided.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", "Error creating Test Execution - Issue create failed! - summary: You must specify a summary of the issue.")]
    public async Task Schema_and_create_violations_are_400_and_store_nothing(string body, string expected)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync(Path, body, await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(expected, reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);
    }

    [Fact]
    public async Task Test_evidences_are_accepted_though_deprecated()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync(Path,
            """{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED","evidences":[{"data":"aGk=","filename":"a.txt"}]}]}""",
            await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, sb.Server.State.Snapshot().XrayCloud.Executions.Single().Tests.Single().Evidence.Single().Size);
    }

    [Theory]
    [InlineData("""{"testKey":"DEMO-999","status":"PASSED"}""", "DEMO-999: Test with key DEMO-999 was not found.")]
    [InlineData("""{"testKey":"DEMO-100","status":"PASSED"}""", "DEMO-100: Issue DEMO-100 is not a Test (issue type: Story).")]
    [InlineData("""{"testKey":"DEMO-2","status":"PASS"}""", "DEMO-2: Test Run Status 'PASS' does not exist.")]
    [InlineData("""{"testKey":"DEMO-2","status":"FAILED","defects":["DEMO-5"]}""", "DEMO-2: Issue DEMO-5 is not a defect (issue type: Test).")]
    public async Task A_refused_test_fails_the_whole_request_naming_the_key(string test, string expected)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.PostBearerAsync(Path,
            $$"""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED"},{{test}}]}""",
            await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Error importing results: " + expected, reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);   // not even DEMO-1's run, nor an execution
    }

    [Fact]
    public async Task More_than_20_parameters_fail_the_request()
    {
        await using var sb = await SandboxClient.StartAsync();
        var ps = new JsonArray(Enumerable.Range(0, 21).Select(i => (JsonNode)new JsonObject { ["name"] = $"p{i}", ["value"] = "v" }).ToArray());
        var body = new JsonObject
        {
            ["info"] = new JsonObject { ["project"] = "DEMO", ["summary"] = "S" },
            ["tests"] = new JsonArray(new JsonObject { ["testKey"] = "DEMO-7", ["status"] = "PASSED", ["iterations"] = new JsonArray(new JsonObject { ["status"] = "PASSED", ["parameters"] = ps }) }),
        };
        var reply = await sb.PostBearerAsync(Path, body.ToJsonString(), await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Error importing results: DEMO-7: Iteration 1 has 21 parameters; at most 20 are allowed.", reply.Error);
    }

    [Fact]
    public async Task Unknown_test_environments_are_refused_with_the_real_text()
    {
        await using var sb = await SandboxClient.StartAsync();
        var token = await sb.CloudTokenAsync();
        var reply = await sb.PostBearerAsync(Path,
            """{"info":{"project":"DEMO","summary":"S","testEnvironments":["ci","dev"]},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", token);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Error importing results: the following environments don't exist or are not in the context of test execution project: 'dev'!", reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);

        // DC does not check them.
        var dc = await sb.ImportAsync("""{"info":{"project":"DEMO","testEnvironments":["dev"]},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");
        Assert.Equal(HttpStatusCode.OK, dc.Status);
    }

    [Fact]
    public async Task Double_slash_in_the_path_is_400()
    {
        await using var sb = await SandboxClient.StartAsync();
        var uri = new Uri(sb.Server.BaseAddress.AbsoluteUri + "/api/v2/import/execution");
        Assert.Contains("//api/v2", uri.AbsoluteUri);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(Minimal, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await sb.CloudTokenAsync());
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);
    }

    private static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}

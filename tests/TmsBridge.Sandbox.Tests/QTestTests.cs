using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.QTest;

namespace TmsBridge.Sandbox.Tests;

/// <summary>qTest Manager over real loopback HTTP: login, search, the Swagger-checked submit, the job queue, cycles, links, state.</summary>
public sealed class QTestTests
{
    private const string P = "api/v3/projects/12345/";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Reply> CallAsync(SandboxClient sb, HttpMethod method, string path, string? json = null, string? token = QTestStore.ApiToken)
    {
        using var client = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, Ct);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Content.Headers.ContentType?.MediaType);
    }

    private static string LogJson(string content, string status = "PASS", string extra = "") =>
        $$"""{"name":"t","status":"{{status}}","exe_start_date":"2026-05-06T07:08:09.000+00:00","exe_end_date":"2026-05-06T07:08:10.000+00:00","automation_content":"{{content}}","module_names":["Samples","LoginTests"]{{extra}}}""";

    private static Task<Reply> SubmitAsync(SandboxClient sb, string cycle, params string[] logs) =>
        CallAsync(sb, HttpMethod.Post, P + "auto-test-logs?type=automation", $$"""{"test_cycle":"{{cycle}}","test_logs":[{{string.Join(",", logs)}}]}""");

    private static async Task<JsonNode> PollToEndAsync(SandboxClient sb, long job)
    {
        var states = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var r = await CallAsync(sb, HttpMethod.Get, "api/v3/projects/queue-processing/" + job);
            Assert.Equal(HttpStatusCode.OK, r.Status);
            states.Add((string)r.Json["state"]!);
            if (states[^1] is "SUCCESS" or "FAILED") return r.Json;
        }
        throw new Xunit.Sdk.XunitException("job never ended: " + string.Join(", ", states));
    }

    [Fact]
    public async Task Login_wants_the_site_Basic_header_and_a_password_grant_and_issues_a_bearer_token()
    {
        await using var sb = await SandboxClient.StartAsync();
        using var client = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        async Task<HttpResponseMessage> Login(string? basic, string password)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "oauth/token")
            {
                Content = new FormUrlEncodedContent([new("grant_type", "password"), new("username", "admin"), new("password", password)]),
            };
            if (basic is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
            return await client.SendAsync(request, Ct);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Login(null, "admin")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Login("acme:", "wrong")).StatusCode);
        var ok = await Login("acme:", "admin");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var token = (string)JsonNode.Parse(await ok.Content.ReadAsStringAsync(Ct))!["access_token"]!;
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, HttpMethod.Get, P + "settings/test-cases/fields", token: token)).Status);
        var denied = await CallAsync(sb, HttpMethod.Get, P + "settings/test-cases/fields", token: "nope");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.Status);
    }

    [Fact]
    public async Task Search_finds_cases_by_PID_with_their_Automation_properties_and_a_manual_case_is_seeded()
    {
        await using var sb = await SandboxClient.StartAsync();
        var r = await CallAsync(sb, HttpMethod.Post, P + "search?pageSize=100&page=1", """{"object_type":"test-cases","fields":["*"],"query":"'pid' = 'TC-1' or 'pid' = 'TC-8' or 'pid' = 'TC-99'"}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var items = r.Json["items"]!.AsArray();
        Assert.Equal(["TC-1", "TC-8"], items.Select(i => (string?)i!["pid"]));
        string? Prop(JsonNode item, string name) => (string?)item["properties"]!.AsArray().First(p => (string?)p!["field_name"] == name)!["field_value_name"];
        Assert.Equal("Yes", Prop(items[0]!, "Automation"));
        Assert.Equal("Samples.TC-1", Prop(items[0]!, "Automation Content"));
        Assert.Equal("No", Prop(items[1]!, "Automation"));
        var bad = await CallAsync(sb, HttpMethod.Post, P + "search", """{"object_type":"test-cases","querry":"x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("querry", (string)bad.Json["message"]!);
    }

    [Fact]
    public async Task The_submit_is_checked_against_the_Swagger_and_the_operations_required_fields()
    {
        await using var sb = await SandboxClient.StartAsync();
        var misspelt = await SubmitAsync(sb, "CL-1", LogJson("Samples.TC-1", extra: ",\"automationContent\":\"x\""));
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.Status);
        Assert.Contains("automationContent", (string)misspelt.Json["message"]!);
        var missing = await SubmitAsync(sb, "CL-1", LogJson("Samples.TC-1").Replace("\"name\":\"t\",", ""));
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Equal("test_logs[0].name is required", (string)missing.Json["message"]!);
        var version = await SubmitAsync(sb, "CL-1", LogJson("Samples.TC-1", extra: ",\"test_case_version_id\":10010"));
        Assert.Equal(HttpStatusCode.BadRequest, version.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SubmitAsync(sb, "CL-77", LogJson("Samples.TC-1"))).Status);
        sb.Server.State.QTest.MaxSubmitBytes = 200;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await SubmitAsync(sb, "CL-1", LogJson("Samples.TC-1"))).Status);
    }

    [Fact]
    public async Task A_job_goes_waiting_processing_success_and_attaches_each_log_to_the_case_with_that_Automation_Content()
    {
        await using var sb = await SandboxClient.StartAsync();
        var submit = await SubmitAsync(sb, "CL-1",
            LogJson("Samples.TC-1", extra: ",\"note\":\"ok\",\"defect_pids\":[\"BUG-1\"],\"attachments\":[{\"name\":\"a.txt\",\"content_type\":\"text/plain\",\"data\":\"aGk=\"}]"),
            LogJson("Brand.New.Test", "FAIL"));
        Assert.Equal(HttpStatusCode.Created, submit.Status);
        Assert.Equal("IN_WAITING", (string)submit.Json["state"]!);
        var job = await PollToEndAsync(sb, (long)submit.Json["id"]!);
        Assert.Equal("SUCCESS", (string)job["state"]!);

        var q = (await sb.StateAsync())["qTest"]!;
        var runs = q["cycles"]!.AsArray().Single(c => (string?)c!["pid"] == "CL-1")!["runs"]!.AsArray();
        var tc1 = runs.Single(r => (string?)r!["testCase"] == "TC-1")!;
        var log = tc1["logs"]![0]!;
        Assert.Equal("PASS", (string)log["status"]!);
        Assert.Equal("Samples/LoginTests", (string)tc1["modulePath"]!);
        Assert.Equal(["BUG-1"], log["defectPids"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(2, (long)log["attachments"]![0]!["size"]!);
        // Any other automation content creates a test case: that is what a keyed test must never send.
        var created = q["testCases"]!.AsArray().Single(c => (bool)c!["created"]!)!;
        Assert.Equal("Brand.New.Test", (string)created["automationContent"]!);
    }

    [Fact]
    public async Task A_status_the_Automation_Settings_do_not_map_fails_the_job_with_qTests_words()
    {
        await using var sb = await SandboxClient.StartAsync();
        var submit = await SubmitAsync(sb, "CL-1", LogJson("Samples.TC-1", "Passed"));
        var job = await PollToEndAsync(sb, (long)submit.Json["id"]!);
        Assert.Equal("FAILED", (string)job["state"]!);
        Assert.Contains("'Passed' is not mapped", (string)job["content"]!);
    }

    [Fact]
    public async Task Cycles_are_created_under_a_parent_listed_by_it_and_requirements_link_to_cases()
    {
        await using var sb = await SandboxClient.StartAsync();
        var created = await CallAsync(sb, HttpMethod.Post, P + "test-cycles?parentId=601&parentType=release", """{"name":"Nightly","description":"TmsBridge run x"}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("CL-2", (string)created.Json["pid"]!);
        Assert.StartsWith(sb.Server.BaseAddress.ToString().TrimEnd('/') + "/p/12345/portal/project#", (string)created.Json["web_url"]!);
        var listed = await CallAsync(sb, HttpMethod.Get, P + "test-cycles?parentId=601&parentType=release");
        Assert.Contains(listed.Json.AsArray(), c => (string?)c!["name"] == "Nightly");
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, HttpMethod.Post, P + "test-cycles?parentId=9&parentType=release", """{"name":"x"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, HttpMethod.Post, P + "test-cycles", """{"title":"x"}""")).Status);

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, HttpMethod.Post, P + "requirements/501/link?type=test-cases", "[1001]")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, HttpMethod.Post, P + "requirements/501/link?type=test-cases", """["TC-1"]""")).Status);
        var q = (await sb.StateAsync())["qTest"]!;
        Assert.Equal(["RQ-1"], q["testCases"]!.AsArray().Single(c => (string?)c!["pid"] == "TC-1")!["requirements"]!.AsArray().Select(r => (string?)r));
        var page = await sb.Http.GetStringAsync("/", Ct);
        Assert.Contains("qTest Manager: test cycles", page);
    }

    [Fact]
    public async Task Adopting_a_manual_case_marks_it_automated_with_its_content()
    {
        await using var sb = await SandboxClient.StartAsync();
        var r = await CallAsync(sb, HttpMethod.Put, P + "test-cases/1008", """{"name":"Manual checkout review","properties":[{"field_id":5001,"field_value":"711"},{"field_id":5002,"field_value":"Ns.C.M"}]}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var q = (await sb.StateAsync())["qTest"]!;
        var tc8 = q["testCases"]!.AsArray().Single(c => (string?)c!["pid"] == "TC-8")!;
        Assert.True((bool)tc8["automated"]!);
        Assert.Equal("Ns.C.M", (string)tc8["automationContent"]!);
    }

    [Fact]
    public async Task qTest_calls_are_not_counted_against_Xray_Clouds_rate_limit()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await sb.ControlAsync("_sandbox/limits", """{"xrayCloud":{"requests":1,"windowSeconds":60}}""")).Status);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, HttpMethod.Get, P + "settings/test-cases/fields")).Status);
    }
}

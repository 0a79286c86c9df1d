using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

/// <summary>RTM Server/DC and Cloud over real loopback HTTP.</summary>
public sealed class RtmTests
{
    private const string ServerBase = "rest/rtm/1.0/api/";
    private const string CloudBase = "rtm-cloud/api/";

    private sealed record Answer(HttpStatusCode Status, string Text)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
    }

    private static async Task<Answer> CallAsync(SandboxClient sb, string flavor, HttpMethod method, string relative, string? json = null,
        HttpContent? content = null, AuthenticationHeaderValue? auth = null, bool xsrf = false)
    {
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(method, (flavor == "cloud" ? CloudBase : ServerBase) + relative)
        {
            Content = content ?? (json is null ? null : new StringContent(json, Encoding.UTF8, "application/json")),
        };
        request.Headers.Authorization = auth ?? (flavor == "cloud" ? new AuthenticationHeaderValue("Bearer", SandboxSeed.DemoRtmToken) : SandboxClient.Basic("admin", "admin"));
        if (xsrf) request.Headers.Add(BrowserForm.XsrfHeader, "no-check");
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static async Task<string> ExecuteAsync(SandboxClient sb, string flavor, string keys = """["DEMO-1","DEMO-2","DEMO-7"]""", string plan = "DEMO-301")
    {
        var created = await CallAsync(sb, flavor, HttpMethod.Post, (flavor == "cloud" ? "v2/" : "") + "test-execution/execute/" + plan,
            $$"""{"testCaseIssueKeys":{{keys}},"summary":"Nightly","description":"d\n\nTmsBridge run 20260506T070809Z-ab12cd34","startDate":"2026-05-06","versions":["v1.0"]}""");
        Assert.True(created.Status == HttpStatusCode.OK, created.Text);
        var key = (string)created.Json["testKey"]!;
        // The seed answers Pending once.
        Assert.Equal("Pending", (string?)(await CallAsync(sb, flavor, HttpMethod.Get, "test-execution/status/" + key)).Json["executionStatus"]);
        Assert.Equal("Done", (string?)(await CallAsync(sb, flavor, HttpMethod.Get, "test-execution/status/" + key)).Json["executionStatus"]);
        return key;
    }

    [Theory]
    [InlineData("server")]
    [InlineData("cloud")]
    public async Task A_test_case_is_read_by_key_and_an_unknown_one_is_404_in_RTMs_error_shape(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        foreach (var v in new[] { "", "v2/" })
        {
            var found = await CallAsync(sb, flavor, HttpMethod.Get, v + "test-case/DEMO-1");
            Assert.True(found.Status == HttpStatusCode.OK, found.Text);
            Assert.Equal("DEMO-1", (string?)found.Json["testKey"]);
            var missing = await CallAsync(sb, flavor, HttpMethod.Get, v + "test-case/DEMO-999");
            Assert.Equal(HttpStatusCode.NotFound, missing.Status);
            Assert.Contains("DEMO-999", (string?)missing.Json["errorMessages"]![0]);
            // A Test Plan is an issue but not a test case.
            Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, flavor, HttpMethod.Get, v + "test-case/DEMO-301")).Status);
        }
    }

    [Theory]
    [InlineData("server")]
    [InlineData("cloud")]
    public async Task Credentials_are_required_in_RTMs_error_shape(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var denied = await CallAsync(sb, flavor, HttpMethod.Get, "v2/test-execution/DEMO-1", auth: new AuthenticationHeaderValue("Bearer", "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.Status);
        Assert.NotEmpty(denied.Json["errorMessages"]!.AsArray());
        Assert.DoesNotContain("wrong", denied.Text);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("cloud")]
    public async Task Execute_creates_tces_for_the_plans_cases_only_and_is_Pending_first(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var created = await CallAsync(sb, flavor, HttpMethod.Post, "test-execution/execute/DEMO-301", """{"testCaseIssueKeys":["DEMO-1","DEMO-7"]}""");
        var key = (string)created.Json["testKey"]!;
        Assert.Contains("DEMO-7", created.Json["warnings"]![0]!.ToString());
        // Pending: TCE writes wait.
        var early = await CallAsync(sb, flavor, HttpMethod.Put, $"v2/test-case-execution/{key}-DEMO-1", """{"result":{"name":"Pass"}}""");
        Assert.Equal(HttpStatusCode.Conflict, early.Status);
        await CallAsync(sb, flavor, HttpMethod.Get, "test-execution/status/" + key);
        var te = await CallAsync(sb, flavor, HttpMethod.Get, "v2/test-execution/" + key);
        Assert.Equal([key + "-DEMO-1"], te.Json["testCaseExecutions"]!.AsArray().Select(t => (string?)t!["testKey"]));
        var missing = await CallAsync(sb, flavor, HttpMethod.Put, $"v2/test-case-execution/{key}-DEMO-7", """{"result":{"name":"Pass"}}""");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Contains($"{key}-DEMO-7", missing.Json["errorMessages"]![0]!.ToString());
    }

    [Fact]
    public async Task Execute_refuses_an_unknown_plan_a_bad_date_and_an_unknown_version()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "server", HttpMethod.Post, "test-execution/execute/DEMO-1", """{"testCaseIssueKeys":["DEMO-1"]}""")).Status);
        var date = await CallAsync(sb, "server", HttpMethod.Post, "test-execution/execute/DEMO-300", """{"testCaseIssueKeys":["DEMO-1"],"startDate":"06/05/2026"}""");
        Assert.Equal(HttpStatusCode.BadRequest, date.Status);
        Assert.Contains("YYYY-MM-DD", (string?)date.Json["errors"]!["startDate"]);
        var version = await CallAsync(sb, "server", HttpMethod.Post, "test-execution/execute/DEMO-300", """{"testCaseIssueKeys":["DEMO-1"],"versions":["v9"]}""");
        Assert.Contains("v9", (string?)version.Json["errors"]!["versions"]);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("cloud")]
    public async Task A_tce_gets_result_comment_defect_evidence_and_the_case_its_links(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        var key = await ExecuteAsync(sb, flavor);
        var tce = key + "-DEMO-1";
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(sb, flavor, HttpMethod.Put, "v2/test-case-execution/" + tce, """{"result":{"name":"Fail"},"actualTime":2,"environment":"linux"}""")).Status);
        var refused = await CallAsync(sb, flavor, HttpMethod.Put, "v2/test-case-execution/" + tce, """{"result":{"name":"FAILED"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("'FAILED' does not exist", (string?)refused.Json["errors"]!["result"]);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, flavor, HttpMethod.Post, $"test-case-execution-comment/{tce}/comments", """{"text":"expected 107"}""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/defect/DEMO-201")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/defect/NOPE-1")).Status);
        var bytes = Encoding.UTF8.GetBytes("screen bytes");
        MultipartFormDataContent Form() => BrowserForm.Create().Part(new ByteArrayContent(bytes) { Headers = { ContentType = new("image/png") } }, "file", "screen.png");
        if (flavor == "server")
            Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/attachment", content: Form())).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/attachment", content: Form(), xsrf: flavor == "server")).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, flavor, HttpMethod.Put, "test-case/DEMO-1", """{"coveredRequirements":{"add":[{"testKey":"DEMO-100"}]}}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, flavor, HttpMethod.Put, "test-case/DEMO-1", """{"coveredRequirements":{"add":[{"testKey":"DEMO-101"}]}}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(sb, flavor, HttpMethod.Put, "test-case/DEMO-1", """{"coveredRequirements":{"add":[{"testKey":"DEMO-1"}]}}""")).Status);

        var state = (await sb.StateAsync())[flavor == "cloud" ? "rtmCloud" : "rtm"]!;
        var te = state["executions"]!.AsArray().Single()!;
        Assert.Equal("DEMO-301", (string?)te["testPlan"]);
        Assert.Equal("Done", (string?)te["status"]);
        var t = te["testCaseExecutions"]!.AsArray().Single(x => (string?)x!["key"] == tce)!;
        Assert.Equal("Fail", (string?)t["result"]);
        Assert.Equal(2, (long)t["actualTime"]!);
        Assert.Equal(["expected 107"], t["comments"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(["DEMO-201"], t["defects"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (string?)t["attachments"]![0]!["sha256"]);
        Assert.Equal(["DEMO-100", "DEMO-101"], state["coveredRequirements"]!["DEMO-1"]!.AsArray().Select(c => (string?)c));
    }

    [Theory]
    [InlineData("server")]
    [InlineData("cloud")]
    public async Task A_tces_steps_come_from_its_test_case_and_take_status_comment_and_evidence(string flavor)
    {
        await using var sb = await SandboxClient.StartAsync();
        // DEMO-300 holds every Test; the seed gives DEMO-8 three steps and DEMO-1 none.
        var key = await ExecuteAsync(sb, flavor, """["DEMO-8","DEMO-1"]""", plan: "DEMO-300");
        var tce = key + "-DEMO-8";
        var read = await CallAsync(sb, flavor, HttpMethod.Get, "v2/test-case-execution/" + tce);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        var steps = read.Json["executionGroups"]![0]!["executionSteps"]!.AsArray();
        Assert.Equal([1, 2, 3], steps.Select(st => (int)st!["ordinal"]!));
        Assert.Equal("Pay with the declined card", (string?)steps[1]!["step"]!["stepColumns"]![0]!["value"]);
        Assert.All(steps, st => Assert.Equal("To do", (string?)st!["currentStatus"]!["name"]));
        Assert.Empty((await CallAsync(sb, flavor, HttpMethod.Get, $"test-case-execution/{key}-DEMO-1")).Json["executionGroups"]![0]!["executionSteps"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(sb, flavor, HttpMethod.Put, $"test-case-execution/{tce}/step/1/status", """{"name":"Pass"}""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(sb, flavor, HttpMethod.Put, $"test-case-execution/{tce}/step/2", """{"id":2,"statusName":"Fail"}""")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(sb, flavor, HttpMethod.Put, $"test-case-execution/{tce}/step/2/comment", """{"text":"card declined"}""")).Status);
        var badIndex = await CallAsync(sb, flavor, HttpMethod.Put, $"test-case-execution/{tce}/step/4/status", """{"name":"Pass"}""");
        Assert.Equal(HttpStatusCode.NotFound, badIndex.Status);
        Assert.Contains("no step with index 4", badIndex.Json["errorMessages"]![0]!.ToString());
        var badStatus = await CallAsync(sb, flavor, HttpMethod.Put, $"test-case-execution/{tce}/step/3/status", """{"name":"Passed"}""");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.Status);
        Assert.Contains("'Passed' does not exist", (string?)badStatus.Json["errors"]!["name"]);
        // No V2 step status path is known: the real API has none to accept.
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, flavor, HttpMethod.Put, $"v2/test-case-execution/{tce}/step/1/status", """{"name":"Pass"}""")).Status);

        var bytes = Encoding.UTF8.GetBytes("declined png");
        MultipartFormDataContent Form() => BrowserForm.Create().Part(new ByteArrayContent(bytes) { Headers = { ContentType = new("image/png") } }, "file", "declined.png");
        var stepId = (long)steps[1]!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/step/{stepId}/attachment", content: Form(), xsrf: flavor == "server")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, flavor, HttpMethod.Post, $"v2/test-case-execution/{tce}/step/1/attachment", content: Form(), xsrf: flavor == "server")).Status);

        var t = (await sb.StateAsync())[flavor == "cloud" ? "rtmCloud" : "rtm"]!["executions"]![0]!["testCaseExecutions"]!.AsArray().Single(x => (string?)x!["key"] == tce)!;
        var state = t["steps"]!.AsArray();
        Assert.Equal(["Pass", "Fail", "To do"], state.Select(st => (string?)st!["status"]));
        Assert.Equal("card declined", (string?)state[1]!["comment"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), (string?)state[1]!["attachments"]![0]!["sha256"]);
        Assert.Empty(t["attachments"]!.AsArray());
    }

    [Fact]
    public async Task The_tces_of_a_test_case_are_listed_across_executions()
    {
        await using var sb = await SandboxClient.StartAsync();
        var first = await ExecuteAsync(sb, "cloud");
        var second = await ExecuteAsync(sb, "cloud", """["DEMO-2"]""");
        var listed = await CallAsync(sb, "cloud", HttpMethod.Get, "test-case-execution/test-case/DEMO-2");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.Equal([first + "-DEMO-2", second + "-DEMO-2"], listed.Json.AsArray().Select(t => (string?)t!["testKey"]));
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "cloud", HttpMethod.Get, "test-case-execution/test-case/DEMO-999")).Status);
    }

    [Fact]
    public async Task A_Server_execution_is_found_by_its_run_marker_through_Jira_search()
    {
        await using var sb = await SandboxClient.StartAsync();
        var key = await ExecuteAsync(sb, "server");
        var jql = Uri.EscapeDataString("project = \"DEMO\" AND description ~ \"20260506T070809Z-ab12cd34\"");
        var found = await sb.Http.GetStringAsync($"rest/api/2/search?jql={jql}&fields=key,description", TestContext.Current.CancellationToken);
        var issue = JsonNode.Parse(found)!["issues"]!.AsArray().Single()!;
        Assert.Equal(key, (string?)issue["key"]);
        Assert.Contains("TmsBridge run 20260506T070809Z-ab12cd34", (string?)issue["fields"]!["description"]);
    }

    [Fact]
    public async Task Reset_forgets_executions_and_links()
    {
        await using var sb = await SandboxClient.StartAsync();
        await ExecuteAsync(sb, "cloud");
        await sb.Http.PostAsync("_sandbox/reset", null, TestContext.Current.CancellationToken);
        Assert.Empty((await sb.StateAsync())["rtmCloud"]!["executions"]!.AsArray());
    }

    [Fact]
    public async Task Cloud_import_matches_TC_KEY_in_system_out_and_answers_a_task_id_as_plain_text()
    {
        await using var sb = await SandboxClient.StartAsync();
        var xml = """
            <testsuites><testsuite name="s">
              <testcase name="Login" classname="C"><system-out>TC_KEY=DEMO-1</system-out></testcase>
              <testcase name="Checkout" classname="C"><failure message="x"/><system-out>TC_KEY=DEMO-3
            more</system-out></testcase>
              <testcase name="Gift TC_KEY_DEMO-4" classname="C"><skipped/></testcase>
              <testcase name="no key" classname="C"/>
            </testsuite></testsuites>
            """;
        using var zipped = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(zipped, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("r.xml").Open()))
            w.Write(xml);
        MultipartFormDataContent Form(string project) => BrowserForm.Create()
            .Part(new ByteArrayContent(zipped.ToArray()) { Headers = { ContentType = new("application/zip") } }, "file", "r.zip")
            .Part(new StringContent(project), "projectKey").Part(new StringContent("JUNIT"), "reportType").Part(new StringContent("Nightly"), "name")
            .Part(new StringContent("""{"fields":{"description":"d"}}"""), "testExecutionFields");

        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "cloud", HttpMethod.Post, "v2/automation/import-test-results", content: Form("NOPE"))).Status);
        var task = await CallAsync(sb, "cloud", HttpMethod.Post, "v2/automation/import-test-results", content: Form("DEMO"));
        Assert.Equal(HttpStatusCode.OK, task.Status);
        Assert.Equal("IMPORTING", (string?)(await CallAsync(sb, "cloud", HttpMethod.Get, "v2/automation/import-status/" + task.Text)).Json["status"]);
        var done = (await CallAsync(sb, "cloud", HttpMethod.Get, "v2/automation/import-status/" + task.Text)).Json;
        Assert.Equal("DONE", (string?)done["status"]);

        var te = (await sb.StateAsync())["rtmCloud"]!["executions"]!.AsArray().Single()!;
        Assert.Equal((string?)done["testExecutionKey"], (string?)te["key"]);
        Assert.True((bool)te["imported"]!);
        Assert.Equal(["Pass", "Fail", "To do"], te["testCaseExecutions"]!.AsArray().Select(t => (string?)t!["result"]));
        // Server/DC has no import endpoint.
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(sb, "server", HttpMethod.Post, "v2/automation/import-test-results", content: Form("DEMO"))).Status);
    }
}

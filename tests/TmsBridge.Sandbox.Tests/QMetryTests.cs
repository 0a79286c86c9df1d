using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

/// <summary>QMetry (QTM4J) Cloud and Server/DC automation import over real loopback HTTP: the three steps, their refusals, state.</summary>
public sealed class QMetryTests
{
    private const string CloudImport = "rest/api/automation/importresult";
    private const string ServerImport = "rest/qtm4j/automation/latest/importresult";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string JUnit = """
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites><testsuite name="Nightly" tests="4" failures="1" errors="0" skipped="1">
          <testcase name="Valid_user_logs_in" classname="Demo.LoginTests" time="0.1">
            <properties><property name="testcasekey" value="DEMO-TC-1"/><property name="storykey" value="DEMO-100"/></properties>
          </testcase>
          <testcase name="Checkout_total_includes_tax" classname="Demo.CheckoutTests" time="0.2" testcasekey="DEMO-TC-3">
            <failure message="expected total 107.00">stack</failure>
          </testcase>
          <testcase name="Gift_cards_are_accepted" classname="Demo.CheckoutTests"><properties><property name="testcasekey" value="DEMO-TC-4"/></properties><skipped/></testcase>
          <testcase name="Brand_new_test" classname="Demo.Other"><properties><property name="testcasekey" value="DEMO-TC-999"/></properties></testcase>
        </testsuite></testsuites>
        """;

    private sealed record Answer(HttpStatusCode Status, string Text)
    {
        public JsonNode Json => JsonNode.Parse(Text)!;
    }

    private static async Task<Answer> SendAsync(SandboxClient sb, HttpMethod method, string pathOrUrl, HttpContent? content = null, bool apiKey = true, bool jira = false, bool xsrf = false)
    {
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(method, pathOrUrl) { Content = content };
        if (apiKey) request.Headers.Add("apiKey", SandboxSeed.DemoQMetryApiKey);
        if (jira) request.Headers.Authorization = SandboxClient.Basic("admin", "admin");
        if (xsrf) request.Headers.Add(BrowserForm.XsrfHeader, "no-check");
        using var response = await http.SendAsync(request, Ct);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(string Url, string TrackingId)> StepOneAsync(SandboxClient sb, string path, string body = """{"format":"junit","automationHierarchy":3,"matchTestSteps":false,"fields":{"testCycle":{"summary":"Nightly run","labels":["ci"]}}}""", bool jira = false)
    {
        var a = await SendAsync(sb, HttpMethod.Post, path, Json(body), jira: jira);
        Assert.True(a.Status == HttpStatusCode.OK, a.Text);
        Assert.Equal("Generated Upload URL is valid for one time use and will expire in 5 minutes.", (string?)a.Json["message"]);
        return ((string)a.Json["url"]!, (string)a.Json["trackingId"]!);
    }

    private static ByteArrayContent Raw(string xml)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(xml));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("multipart/form-data");
        return content;
    }

    private static async Task<JsonNode> StateAsync(SandboxClient sb) => JsonNode.Parse(await sb.Http.GetStringAsync("_sandbox/state", Ct))!;

    [Fact]
    public async Task Cloud_three_steps_land_one_cycle_with_a_status_per_case()
    {
        await using var sb = await SandboxClient.StartAsync();
        var (url, id) = await StepOneAsync(sb, CloudImport);
        Assert.Contains("/qtm4j-storage/", url);
        Assert.Contains("X-Amz-Signature=", url);

        var put = await SendAsync(sb, HttpMethod.Put, url, Raw(JUnit), apiKey: false);
        Assert.Equal(HttpStatusCode.OK, put.Status);

        var first = await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}");
        Assert.Equal("In Progress", (string?)first.Json["importStatus"]);
        var done = await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}");
        Assert.Equal("SUCCESS", (string?)done.Json["importStatus"]);
        Assert.Equal("DEMO-TR-4", (string?)done.Json["summary"]!["testCycleIssueKey"]);
        Assert.Equal(1, (int)done.Json["summary"]!["testCasesCreated"]!);
        Assert.Equal(3, (int)done.Json["summary"]!["testCaseVersionsReused"]!);

        var cycle = (await StateAsync(sb))["qmetry"]!["cycles"]!.AsArray().Single()!;
        Assert.Equal("Nightly run", (string?)cycle["summary"]);
        Assert.Equal("No Environment", (string?)cycle["environment"]);
        var executions = cycle["executions"]!.AsArray();
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-3", "DEMO-TC-4", "DEMO-TC-51"], executions.Select(e => (string?)e!["testCaseKey"]));
        Assert.Equal(["Pass", "Fail", "Not Executed", "Pass"], executions.Select(e => (string?)e!["status"]));
        Assert.Equal(["key", "key", "key", "created"], executions.Select(e => (string?)e!["matched"]));
        Assert.Equal("DEMO-100", (string?)executions[0]!["storyKeys"]![0]);
        Assert.Empty((await StateAsync(sb))["qmetryServer"]!["cycles"]!.AsArray());
    }

    [Fact]
    public async Task Cloud_Open_API_lists_the_key_s_project_and_searches_a_test_case_by_key_changing_nothing()
    {
        await using var sb = await SandboxClient.StartAsync();
        var before = (await StateAsync(sb))["qmetry"]!.ToJsonString();
        async Task<Answer> OpenAsync(HttpMethod method, string path, HttpContent? content = null, string key = SandboxSeed.DemoQMetryOpenApiKey)
        {
            using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add("apiKey", key);
            using var response = await http.SendAsync(request, Ct);
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var projects = await OpenAsync(HttpMethod.Get, "rest/api/latest/projects");
        Assert.True(projects.Status == HttpStatusCode.OK, projects.Text);
        var project = projects.Json["data"]![0]!;
        Assert.Equal("DEMO", (string?)project["key"]);
        var projectId = (long)project["id"]!;

        var found = await OpenAsync(HttpMethod.Post, "rest/api/latest/testcases/search?startAt=0&maxResults=1", Json($$$"""{"filter":{"projectId":{{{projectId}}},"key":"DEMO-TC-1"}}"""));
        Assert.True(found.Status == HttpStatusCode.OK, found.Text);
        Assert.Equal("DEMO-TC-1", (string?)found.Json["data"]![0]!["key"]);
        var missing = await OpenAsync(HttpMethod.Post, "rest/api/latest/testcases/search", Json($$$"""{"filter":{"projectId":{{{projectId}}},"key":"DEMO-TC-9999"}}"""));
        Assert.Equal(HttpStatusCode.OK, missing.Status);
        Assert.Empty(missing.Json["data"]!.AsArray());
        Assert.Equal(0, (int)missing.Json["total"]!);

        // The Automation API key reads nothing; projectId is required and must be the key's project; 50 a page at most.
        Assert.Equal(HttpStatusCode.Unauthorized, (await OpenAsync(HttpMethod.Get, "rest/api/latest/projects", key: SandboxSeed.DemoQMetryApiKey)).Status);
        var noProject = await OpenAsync(HttpMethod.Post, "rest/api/latest/testcases/search", Json("""{"filter":{"key":"DEMO-TC-1"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, noProject.Status);
        Assert.Contains("projectId", (string?)noProject.Json["errorMessage"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await OpenAsync(HttpMethod.Post, "rest/api/latest/testcases/search", Json("""{"filter":{"projectId":1,"key":"DEMO-TC-1"}}"""))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await OpenAsync(HttpMethod.Post, "rest/api/latest/testcases/search?maxResults=100", Json($$$"""{"filter":{"projectId":{{{projectId}}}}}"""))).Status);

        Assert.Equal(before, (await StateAsync(sb))["qmetry"]!.ToJsonString());
    }

    [Fact]
    public async Task Cloud_Open_API_lists_the_cycle_s_executions_hands_out_an_upload_policy_and_storage_attaches_the_file()
    {
        await using var sb = await SandboxClient.StartAsync();
        var (url, id) = await StepOneAsync(sb, CloudImport);
        await SendAsync(sb, HttpMethod.Put, url, Raw(JUnit), apiKey: false);
        await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}");
        var cycleId = (string)(await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}")).Json["summary"]!["testCycle"]!;

        async Task<Answer> OpenAsync(HttpMethod method, string path, HttpContent? content = null, string key = SandboxSeed.DemoQMetryOpenApiKey)
        {
            using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add("apiKey", key);
            using var response = await http.SendAsync(request, Ct);
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await OpenAsync(HttpMethod.Post, $"rest/api/latest/testcycles/{cycleId}/testcases/search", Json("""{"filter":{}}"""), SandboxSeed.DemoQMetryApiKey)).Status);
        var page = await OpenAsync(HttpMethod.Post, $"rest/api/latest/testcycles/{cycleId}/testcases/search?startAt=0&maxResults=100", Json("""{"filter":{}}"""));
        Assert.Equal(4, (int)page.Json["total"]!);
        var tc1 = page.Json["data"]!.AsArray().Single(d => (string?)d!["key"] == "DEMO-TC-1")!;
        var policy = await OpenAsync(HttpMethod.Get, $"rest/api/latest/testcycles/{cycleId}/testcase-executions/attachments/url?fileName=screen.png&projectId=10000&testcaseExecutionId={tc1["testCaseExecutionId"]}");
        Assert.Equal(HttpStatusCode.OK, policy.Status);
        var endpoint = (string)policy.Json["endpoint_url"]!;

        MultipartFormDataContent Form(bool withFile = true)
        {
            var form = BrowserForm.Create();
            foreach (var p in policy.Json["params"]!.AsObject()) form.Part(new StringContent((string)p.Value!), p.Key);
            if (withFile) form.Part(new ByteArrayContent([1, 2, 3]) { Headers = { ContentType = new("image/png") } }, "file", "screen.png");
            return form;
        }
        var withKey = await SendAsync(sb, HttpMethod.Post, endpoint, Form(), apiKey: true);
        Assert.Equal(HttpStatusCode.BadRequest, withKey.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(sb, HttpMethod.Post, endpoint, Form(), apiKey: false)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(sb, HttpMethod.Post, endpoint, Form(), apiKey: false)).Status); // the policy is used

        var execution = (await StateAsync(sb))["qmetry"]!["cycles"]![0]!["executions"]!.AsArray().Single(e => (string?)e!["testCaseKey"] == "DEMO-TC-1")!;
        var attachment = execution["attachments"]!.AsArray().Single()!;
        Assert.Equal("screen.png", (string?)attachment["filename"]);
        Assert.Equal(3, (int)attachment["size"]!);
    }

    [Fact]
    public async Task Cloud_storage_refuses_credentials_and_a_second_or_expired_upload()
    {
        await using var sb = await SandboxClient.StartAsync();
        var (url, _) = await StepOneAsync(sb, CloudImport);
        var withKey = await SendAsync(sb, HttpMethod.Put, url, Raw(JUnit), apiKey: true);
        Assert.Equal(HttpStatusCode.BadRequest, withKey.Status);
        Assert.Contains("Only one auth mechanism allowed", withKey.Text);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(sb, HttpMethod.Put, url, Raw(JUnit), apiKey: false)).Status);
        var again = await SendAsync(sb, HttpMethod.Put, url, Raw(JUnit), apiKey: false);
        Assert.Equal(HttpStatusCode.Forbidden, again.Status);
        Assert.Contains("Request has expired", again.Text);

        Assert.Equal(HttpStatusCode.NoContent, (await sb.Http.PostAsync("_sandbox/qmetry/expire-uploads?count=1", null, Ct)).StatusCode);
        var (expired, _) = await StepOneAsync(sb, CloudImport);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(sb, HttpMethod.Put, expired, Raw(JUnit), apiKey: false)).Status);
        var (fresh, _) = await StepOneAsync(sb, CloudImport);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(sb, HttpMethod.Put, fresh, Raw(JUnit), apiKey: false)).Status);
    }

    [Fact]
    public async Task Server_takes_apiKey_and_Jira_auth_a_multipart_file_with_the_XSRF_header_and_answers_204()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(sb, HttpMethod.Post, ServerImport, Json("""{"format":"junit"}"""), jira: false)).Status);
        var (url, id) = await StepOneAsync(sb, ServerImport, """{"format":"junit","automationHierarchy":3,"testCycleToReuse":"DEMO-TR-2","environment":"chrome","build":"v1.0"}""", jira: true);
        Assert.Contains("/rest/qtm4j/automation/latest/importresult/upload/", url);

        HttpContent Form() => BrowserForm.Create().Part(new StringContent(JUnit, Encoding.UTF8, "application/xml"), "file", "results.xml");
        var noXsrf = await SendAsync(sb, HttpMethod.Post, url, Form(), jira: true);
        Assert.Equal(HttpStatusCode.Forbidden, noXsrf.Status);
        var noJira = await SendAsync(sb, HttpMethod.Post, url, Form(), jira: false, xsrf: true);
        Assert.Equal(HttpStatusCode.Unauthorized, noJira.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(sb, HttpMethod.Post, url, Form(), jira: true, xsrf: true)).Status);

        Assert.Equal("INPROCESS", (string?)(await SendAsync(sb, HttpMethod.Get, $"{ServerImport}/track?trackingId={id}", jira: true)).Json["importStatus"]);
        var done = await SendAsync(sb, HttpMethod.Get, $"{ServerImport}/track?trackingId={id}", jira: true);
        Assert.Equal("SUCCESS", (string?)done.Json["importStatus"]);
        Assert.Equal("DEMO-TR-2", (string?)done.Json["summary"]!["testCycleIssueKey"]);
        var cycle = (await StateAsync(sb))["qmetryServer"]!["cycles"]!.AsArray().Single()!;
        Assert.False((bool)cycle["created"]!);
        Assert.Equal(4, cycle["executions"]!.AsArray().Count);
    }

    [Fact]
    public async Task Step_1_refuses_form_data_unknown_formats_bad_fields_missing_keys_and_unknown_cycles_in_QMetry_shape()
    {
        await using var sb = await SandboxClient.StartAsync();
        var form = await SendAsync(sb, HttpMethod.Post, CloudImport, new FormUrlEncodedContent([new("format", "junit")]));
        Assert.Equal(HttpStatusCode.BadRequest, form.Status);
        Assert.Contains("form-data is not supported", (string?)form.Json["errorMessage"]);

        var format = await SendAsync(sb, HttpMethod.Post, CloudImport, Json("""{"format":"xyz"}"""));
        Assert.Equal(400, (int)format.Json["status"]!);
        Assert.Equal("Framework 'xyz' is not supported.", (string?)format.Json["errorMessage"]);
        Assert.NotNull(format.Json["timestamp"]);

        var fields = await SendAsync(sb, HttpMethod.Post, CloudImport, Json("""{"format":"junit","fields":{"testCycle":{"colour":"red"},"testRun":{}}}"""));
        Assert.Equal("The supplied fields are invalid", (string?)fields.Json["errorMessage"]);
        Assert.Equal(2, fields.Json["errors"]!.AsArray().Count);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(sb, HttpMethod.Post, CloudImport, Json("""{"format":"junit"}"""), apiKey: false)).Status);
        var reuse = await SendAsync(sb, HttpMethod.Post, CloudImport, Json("""{"format":"junit","testCycleToReuse":"DEMO-TR-99"}"""));
        Assert.Contains("DEMO-TR-99", (string?)reuse.Json["errorMessage"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(sb, HttpMethod.Post, CloudImport, Json("""{"format":"junit","automationHierarchy":4}"""))).Status);
    }

    [Fact]
    public async Task Track_of_an_unknown_id_is_400_with_status_404_and_a_bad_file_or_the_knob_ends_FAILED()
    {
        await using var sb = await SandboxClient.StartAsync();
        var unknown = await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId=nope");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(404, (int)unknown.Json["status"]!);
        Assert.Equal("No import details found for given tracking id 'nope'", (string?)unknown.Json["errorMessage"]);

        var (url, id) = await StepOneAsync(sb, CloudImport);
        await SendAsync(sb, HttpMethod.Put, url, Raw("<testsuites><testsuite"), apiKey: false);
        await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}");
        var failed = await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id}");
        Assert.Equal("FAILED", (string?)failed.Json["importStatus"]);
        Assert.StartsWith("Invalid JUnit result file", (string?)failed.Json["detailedMessage"]);

        await sb.Http.PostAsync("_sandbox/qmetry/fail-imports?count=1&message=Quota%20exceeded", null, Ct);
        await sb.Http.PostAsync("_sandbox/qmetry/in-progress-polls?count=0", null, Ct);
        var (url2, id2) = await StepOneAsync(sb, CloudImport);
        await SendAsync(sb, HttpMethod.Put, url2, Raw(JUnit), apiKey: false);
        var knob = await SendAsync(sb, HttpMethod.Get, $"{CloudImport}/track?trackingId={id2}");
        Assert.Equal("FAILED", (string?)knob.Json["importStatus"]);
        Assert.Equal("Quota exceeded", (string?)knob.Json["detailedMessage"]);

        await sb.Http.PostAsync("_sandbox/reset", null, Ct);
        var state = await StateAsync(sb);
        Assert.Empty(state["qmetry"]!["imports"]!.AsArray());
    }
}

using System.Net;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

public sealed class StateAndSeedTests
{
    [Fact]
    public async Task State_json_has_the_contract_names()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.ImportAsync("""
            {"info":{"project":"DEMO","summary":"S"},"tests":[
              {"testKey":"DEMO-1","status":"PASS","defects":["DEMO-200"],"evidences":[{"data":"aGk=","filename":"a.txt","contentType":"text/plain"}],
               "iterations":[{"name":"row","status":"PASS","parameters":[{"name":"user","value":"bob"}]}],
               "testInfo":{"projectKey":"DEMO","summary":"T","testType":"Generic","requirementKeys":["DEMO-100"]}}]}
            """);
        var state = await sb.StateAsync();

        var exec = state["xray"]!["executions"]![0]!.AsObject();
        foreach (var name in new[] { "key", "id", "project", "summary", "description", "version", "revision", "testPlanKey",
                     "testEnvironments", "user", "startDate", "finishDate", "fields", "imports", "tests" })
            Assert.True(exec.ContainsKey(name), name);
        var run = exec["tests"]![0]!.AsObject();
        foreach (var name in new[] { "testKey", "status", "comment", "start", "finish", "executedBy", "defects", "iterations", "evidence" })
            Assert.True(run.ContainsKey(name), name);
        Assert.Equal("bob", run["iterations"]![0]!["parameters"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("row", run["iterations"]![0]!["name"]!.GetValue<string>());
        var ev = run["evidence"]![0]!;
        Assert.Equal(("a.txt", "text/plain", 2), (ev["filename"]!.GetValue<string>(), ev["contentType"]!.GetValue<string>(), ev["size"]!.GetValue<int>()));
        Assert.Equal("8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4", ev["sha256"]!.GetValue<string>());

        var test = state["xray"]!["tests"]![0]!;
        Assert.Equal(("DEMO-1", "Generic", false), (test["key"]!.GetValue<string>(), test["testType"]!.GetValue<string>(), test["provisioned"]!.GetValue<bool>()));
        Assert.Null(test["definition"]);
        Assert.Equal("DEMO-100", state["xray"]!["links"]![0]!["requirement"]!.GetValue<string>());

        var request = state["requests"]![0]!;
        Assert.Equal(("POST", "/rest/raven/2.0/import/execution", 200), (request["method"]!.GetValue<string>(), request["path"]!.GetValue<string>(), request["status"]!.GetValue<int>()));
        Assert.True(request["bytes"]!.GetValue<long>() > 100);
        Assert.True(DateTimeOffset.TryParse(request["at"]!.GetValue<string>(), out _));
        Assert.Equal(1, state["requestCounts"]!["POST /rest/raven/2.0/import/execution"]!.GetValue<int>());
        // The inspection request itself is not logged.
        Assert.Single(state["requests"]!.AsArray());
    }

    [Fact]
    public async Task Html_page_renders_state_and_encodes_everything()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.ImportAsync("""
            {"info":{"project":"DEMO","summary":"<script>alert(1)</script>"},"tests":[
              {"testKey":"DEMO-1","status":"FAIL","comment":"a & b <b>","defects":["DEMO-201"],
               "evidences":[{"data":"aGk=","filename":"\"><img src=x onerror=alert(2)>.png"}],
               "iterations":[{"name":"<i>row</i>","status":"FAIL","parameters":[{"name":"u","value":"<eve>"}]}]}]}
            """);
        using var response = await sb.Http.GetAsync("/", TestContext.Current.CancellationToken);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("DEMO-1000", html);
        Assert.Contains("<span class=\"st FAIL\">FAIL</span>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("a &amp; b &lt;b&gt;", html);
        Assert.Contains("8f434346648f", html);           // sha256 prefix
        Assert.Contains("DEMO-201", html);
        Assert.Contains("u=&lt;eve&gt;", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<i>row", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal)); // no external CSS/JS
    }

    [Fact]
    public async Task Html_page_shows_Cloud_executions_faults_and_limits_encoded()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.PostBearerAsync(SandboxClient.CloudImportPath, """
            {"info":{"project":"DEMO","summary":"<b>cloud</b>"},"tests":[{"testKey":"DEMO-4","status":"PASSED",
              "iterations":[{"name":"row","log":"<log>","status":"FAILED"}]}]}
            """, await sb.CloudTokenAsync());
        await sb.ControlAsync("_sandbox/faults", """{"path":"/api/*","action":"status","status":503,"count":3,"body":"<x>"}""");
        await sb.ControlAsync("_sandbox/limits", """{"xrayCloud":{"requests":42,"windowSeconds":7,"retryAfter":false}}""");

        var html = await sb.Http.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("Xray Cloud: Test Executions", html);
        Assert.Contains("DEMO-1000", html);
        Assert.Contains("&lt;b&gt;cloud&lt;/b&gt;", html);
        Assert.Contains("<span class=\"st PASSED\">PASSED</span>", html);
        Assert.Contains("&lt;log&gt;", html);
        Assert.Contains("/api/*", html);
        Assert.Contains("status 503", html);
        Assert.Contains("body &lt;x&gt;", html);
        Assert.Contains("42 requests per 7 s", html);
        Assert.Contains("Retry-After not sent", html);
        Assert.DoesNotContain("<x>", html);
        Assert.DoesNotContain("<log>", html);
    }

    [Fact]
    public async Task Reset_clears_received_state_but_keeps_the_seed()
    {
        await using var sb = await SandboxClient.StartAsync();
        await sb.ImportAsync("""{"info":{"project":"DEMO"},"tests":[{"status":"PASS","testInfo":{"projectKey":"DEMO","summary":"s","testType":"Generic"}}]}""");
        using var reset = await sb.Http.PostAsync("_sandbox/reset", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        var state = await sb.StateAsync();
        Assert.Empty(state["xray"]!["executions"]!.AsArray());
        Assert.Empty(state["xray"]!["tests"]!.AsArray());
        Assert.Empty(state["requests"]!.AsArray());
        // Keys restart and the provisioned DEMO-500 is gone (a later import gets it again).
        var again = await sb.ImportAsync("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-500","status":"PASS"}]}""");
        Assert.Equal("DEMO-1000", again.Json["testExecIssue"]!["key"]!.GetValue<string>());
        Assert.Equal("Test with key DEMO-500 was not found.", again.Json["testIssues"]!["error"]![0]!["messages"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Custom_seed_file_replaces_the_default_with_ranges_and_several_projects()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sandbox-seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """
            {
              "users": [ { "name": "ci", "password": "pw", "tokens": ["tok-1"] } ],
              "statuses": ["PASS", "FAIL", "SKIPPED"],
              "projects": [
                { "key": "CALC", "versions": ["1.0"], "tests": ["CALC-1..CALC-3", "CALC-10"], "requirements": ["CALC-20"],
                  "testExecutions": ["CALC-30"], "nextTestExecution": 40, "nextTest": 50 },
                { "key": "WEB", "tests": ["WEB-1"] }
              ]
            }
            """, TestContext.Current.CancellationToken);
        try
        {
            await using var sb = await SandboxClient.StartAsync(new SandboxOptions { SeedPath = path });
            var admin = await sb.ImportAsync("""{"info":{"project":"CALC"},"tests":[{"testKey":"CALC-1","status":"PASS"}]}""");
            Assert.Equal(HttpStatusCode.Unauthorized, admin.Status); // admin/admin is not in this seed

            var reply = await sb.ImportAsync("""
                {"testExecutionKey":"CALC-30","tests":[{"testKey":"CALC-3","status":"SKIPPED"},{"testKey":"CALC-10","status":"PASS"},
                 {"testKey":"CALC-4","status":"PASS"},{"testKey":"WEB-1","status":"FAIL"},
                 {"status":"PASS","testInfo":{"projectKey":"CALC","summary":"n","testType":"Manual","requirementKeys":["CALC-20"]}}]}
                """, auth: SandboxClient.Basic("ci", "pw"));
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.Equal("CALC-30", reply.Json["testExecIssue"]!["key"]!.GetValue<string>());
            Assert.Equal(["CALC-3", "CALC-10", "WEB-1", "CALC-50"], reply.Json["testIssues"]!["success"]!.AsArray().Select(n => n!["key"]!.GetValue<string>()));
            Assert.Equal("CALC-4", reply.Json["testIssues"]!["error"]![0]!["testKey"]!.GetValue<string>());

            var created = await sb.ImportAsync("""{"info":{"project":"WEB"},"tests":[{"testKey":"WEB-1","status":"PASS"}]}""",
                auth: new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "tok-1"));
            Assert.Equal("WEB-1000", created.Json["testExecIssue"]!["key"]!.GetValue<string>());
            Assert.Equal("111000", created.Json["testExecIssue"]!["id"]!.GetValue<string>()); // second project: its own id space
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"users":[{"name":"a","password":"b"}],"statuses":["PASS"],"projects":[{"key":"DEMO","tests":["DEMO-5..DEMO-1"]}]}""", "runs backwards")]
    [InlineData("""{"users":[{"name":"a","password":"b"}],"statuses":["PASS"],"projects":[{"key":"DEMO","tests":["OTHER-1"]}]}""", "not an issue key")]
    [InlineData("""{"users":[{"name":"a","password":"b"}],"statuses":["PASS"],"projects":[{"key":"DEMO","tests":["DEMO-1"],"bugs":["DEMO-2"]}]}""", "bugs")]
    [InlineData("""{"users":[{"name":"a","password":"b"}],"statuses":["PASS"],"projects":[{"key":"DEMO","tests":["DEMO-1"],"defects":["DEMO-1"]}]}""", "DEMO-1 twice")]
    public async Task Invalid_seed_fails_to_start_with_a_clear_message(string json, string fragment)
    {
        var e = await Assert.ThrowsAsync<SeedException>(() => SandboxServer.StartAsync(new SandboxOptions { Seed = SandboxSeed.Parse(json) }, TestContext.Current.CancellationToken));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public async Task Default_seed_and_binding_are_as_documented()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal("127.0.0.1", sb.Server.BaseAddress.Host);
        Assert.NotEqual(0, sb.Server.BaseAddress.Port);
        Assert.EndsWith("/", sb.Server.BaseAddress.AbsoluteUri);
        var jira = sb.Server.State.Jira;
        Assert.Equal(State.IssueKind.Test, jira.Find("DEMO-50")!.Kind);
        Assert.Null(jira.Find("DEMO-51"));
        Assert.Equal(State.IssueKind.Requirement, jira.Find("DEMO-120")!.Kind);
        Assert.Equal(State.IssueKind.Defect, jira.Find("DEMO-220")!.Kind);
        Assert.Equal(State.IssueKind.TestPlan, jira.Find("DEMO-305")!.Kind);
        Assert.Equal(["v1.0", "v1.1", "v2.0"], jira.FindProject("DEMO")!.Versions);
        Assert.Equal(5, jira.Statuses.Count);
    }

    [Fact]
    public async Task Concurrent_imports_get_distinct_execution_keys()
    {
        await using var sb = await SandboxClient.StartAsync();
        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            sb.ImportAsync("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""")));
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(16, replies.Select(r => r.Json["testExecIssue"]!["key"]!.GetValue<string>()).Distinct().Count());
        var state = await sb.StateAsync();
        Assert.Equal(16, state["requestCounts"]!["POST /rest/raven/2.0/import/execution"]!.GetValue<int>());
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_Request_Entity_Too_Large_and_logged()
    {
        await using var sb = await SandboxClient.StartAsync(new SandboxOptions { MaxRequestBodyBytes = 1024 });
        var big = Convert.ToBase64String(new byte[4096]);
        var reply = await sb.ImportAsync($$"""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","evidences":[{"data":"{{big}}","filename":"a.bin"}]}]}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal("Request Entity Too Large", reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
        Assert.Equal(413, sb.Server.State.Snapshot().Requests.Single().Status);
    }
}

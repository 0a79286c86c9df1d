using System.Net;
using System.Text.Json.Nodes;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

/// <summary>
/// Xray test definitions in the sandbox: the seeded Manual test DEMO-8 (three steps) read back through the
/// DC Tests REST (GET /rest/raven/1.0/api/test?keys=) and Cloud GraphQL getTests, and the import rule that
/// step results go only to Manual tests, one per step (DC: a per-test error; Cloud: the whole import 400).
/// </summary>
public sealed class XrayStepResultsTests
{
    private static string S(JsonNode? n) => n!.GetValue<string>();

    private static async Task<Reply> GetAsync(SandboxClient sb, string path)
    {
        using var response = await sb.Http.GetAsync(path, TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Content.Headers.ContentType?.MediaType);
    }

    private static string Steps(params string[] statuses) => "[" + string.Join(",", statuses.Select(s => $$"""{"status":"{{s}}"}""")) + "]";

    [Fact]
    public async Task DC_lists_the_tests_among_the_keys_with_a_Manual_tests_steps()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await GetAsync(sb, "rest/raven/1.0/api/test?keys=DEMO-8;DEMO-9;DEMO-100;NOPE-1");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var tests = reply.Json.AsArray();
        Assert.Equal(["DEMO-8", "DEMO-9"], tests.Select(t => S(t!["key"]))); // a requirement and an unknown key are left out
        Assert.Equal("Manual", S(tests[0]!["type"]));
        var steps = tests[0]!["definition"]!["steps"]!.AsArray();
        Assert.Equal(["Open the cart", "Pay with the declined card", "See the error page"], steps.Select(s => S(s!["step"]!["raw"])));
        Assert.Equal([1, 2, 3], steps.Select(s => s!["index"]!.GetValue<int>()));
        Assert.Equal("Generic", S(tests[1]!["type"]));
        Assert.Equal(System.Text.Json.JsonValueKind.String, tests[1]!["definition"]!.GetValueKind());

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync(sb, "rest/raven/1.0/api/test")).Status);
        using var anon = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var unauthorized = await anon.GetAsync("rest/raven/1.0/api/test?keys=DEMO-8", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task DC_takes_one_step_result_per_step_of_a_Manual_test_and_refuses_the_others_per_test()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync($$"""
            {"info":{"project":"DEMO"},"tests":[
              {"testKey":"DEMO-8","status":"FAIL","steps":[{"status":"PASS","comment":"Open the cart"},{"status":"FAIL","actualResult":"declined","evidences":[{"data":"AQID","filename":"declined.png","contentType":"image/png"}]},{"status":"PASS"}]},
              {"testKey":"DEMO-9","status":"PASS","steps":{{Steps("PASS")}}},
              {"testKey":"DEMO-1","status":"PASS","iterations":[{"parameters":[{"name":"a","value":"1"}],"status":"PASS","steps":{{Steps("PASS")}}}]}
            ]}
            """);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var errors = reply.Json["testIssues"]!["error"]!.AsArray();
        Assert.Equal(["DEMO-9", "DEMO-1"], errors.Select(e => S(e!["testKey"])));
        Assert.Contains("DEMO-9 is not a Manual test (test type: Generic)", S(errors[0]!["messages"]![0]));
        var run = (await sb.StateAsync())["xray"]!["executions"]![0]!["tests"]!.AsArray().Single()!;
        Assert.Equal("DEMO-8", S(run["testKey"]));
        Assert.Equal(["PASS", "FAIL", "PASS"], run["steps"]!.AsArray().Select(s => S(s!["status"])));
        Assert.Equal("declined.png", S(run["steps"]![1]!["evidence"]![0]!["filename"]));

        var mismatch = await sb.ImportAsync($$"""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-8","status":"PASS","steps":{{Steps("PASS", "PASS")}}}]}""");
        Assert.Equal("Test DEMO-8 has 3 steps but the Test Run has 2 step results.", S(mismatch.Json["testIssues"]!["error"]![0]!["messages"]![0]));
        var iterated = await sb.ImportAsync($$"""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-8","status":"PASS","iterations":[{"parameters":[{"name":"a","value":"1"}],"status":"PASS","steps":{{Steps("PASS")}}}]}]}""");
        Assert.Equal("Iteration 1: Test DEMO-8 has 3 steps but the Test Run has 1 step results.", S(iterated.Json["testIssues"]!["error"]![0]!["messages"]![0]));
    }

    [Fact]
    public async Task Cloud_getTests_answers_type_kind_and_steps_and_fails_the_JQL_for_an_unknown_key()
    {
        await using var sb = await SandboxClient.StartAsync();
        var token = await sb.CloudTokenAsync();
        var query = """{ getTests(jql: "key in (DEMO-8, DEMO-9)", limit: 100) { total results { issueId jira(fields: ["key"]) testType { name kind } steps { id action } } } }""";
        var reply = await sb.PostBearerAsync("api/v2/graphql", new JsonObject { ["query"] = query }.ToJsonString(), token);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var tests = reply.Json["data"]!["getTests"]!["results"]!.AsArray();
        Assert.Equal(2, reply.Json["data"]!["getTests"]!["total"]!.GetValue<int>());
        Assert.Equal(("DEMO-8", "Manual", "Steps"), (S(tests[0]!["jira"]!["key"]), S(tests[0]!["testType"]!["name"]), S(tests[0]!["testType"]!["kind"])));
        Assert.Equal(["Open the cart", "Pay with the declined card", "See the error page"], tests[0]!["steps"]!.AsArray().Select(s => S(s!["action"])));
        Assert.Equal("Unstructured", S(tests[1]!["testType"]!["kind"]));
        Assert.Empty(tests[1]!["steps"]!.AsArray());

        var unknown = await sb.PostBearerAsync("api/v2/graphql",
            new JsonObject { ["query"] = """{ getTests(jql: "key in (DEMO-8, NOPE-1)", limit: 100) { results { issueId } } }""" }.ToJsonString(), token);
        Assert.Equal(HttpStatusCode.OK, unknown.Status);
        Assert.Contains("An issue with key 'NOPE-1' does not exist", S(unknown.Json["errors"]![0]!["message"]));
        Assert.Null(unknown.Json["data"]!["getTests"]);
    }

    [Fact]
    public async Task Cloud_refuses_the_whole_import_for_step_results_that_do_not_fit_the_test()
    {
        await using var sb = await SandboxClient.StartAsync();
        var token = await sb.CloudTokenAsync();
        var bad = await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            $$"""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-8","status":"PASSED","steps":{{Steps("PASSED")}}},{"testKey":"DEMO-1","status":"PASSED"}]}""", token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("Error importing results: DEMO-8: Test DEMO-8 has 3 steps but the Test Run has 1 step results.", bad.Error);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);

        var good = await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            $$"""{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-8","status":"FAILED","steps":[{"status":"PASSED"},{"status":"FAILED","evidences":[{"data":"AQID","filename":"declined.png"}]},{"status":"PASSED"}]}]}""", token);
        Assert.Equal(HttpStatusCode.OK, good.Status);
    }

    [Fact]
    public void A_seed_Manual_test_must_be_one_of_the_projects_tests_and_have_steps()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].ManualTests["DEMO-100"] = ["x"];
        Assert.Contains("DEMO-100", Assert.Throws<SeedException>(() => new State.SandboxState(seed)).Message);
        seed = SandboxSeed.CreateDefault();
        seed.Projects[0].ManualTests["DEMO-7"] = [];
        Assert.Contains("at least one step", Assert.Throws<SeedException>(() => new State.SandboxState(seed)).Message);
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace TmsBridge.Sandbox.Tests;

public sealed class XrayImportTests
{
    private static string S(JsonNode? n) => n!.GetValue<string>();

    [Fact]
    public async Task Happy_import_creates_execution_with_status_per_key_iterations_and_evidence_digest()
    {
        await using var sb = await SandboxClient.StartAsync();
        var png = RandomNumberGenerator.GetBytes(3000);
        var log = "line 1\nline <2>\n"u8.ToArray();
        var body = new JsonObject
        {
            ["info"] = new JsonObject
            {
                ["project"] = "DEMO", ["summary"] = "Nightly", ["version"] = "v1.1", ["revision"] = "abc123",
                ["startDate"] = "2024-05-01T10:00:00+02:00", ["finishDate"] = "2024-05-01T10:05:00Z",
                ["testPlanKey"] = "DEMO-300", ["testEnvironments"] = new JsonArray("linux", "net10"), ["user"] = "admin",
            },
            ["tests"] = new JsonArray(
                new JsonObject
                {
                    ["testKey"] = "DEMO-1", ["status"] = "PASS", ["comment"] = "ok", ["start"] = "2024-05-01T10:00:01+0200",
                    ["finish"] = "2024-05-01T10:00:02.123+02:00", ["executedBy"] = "admin",
                    ["evidences"] = new JsonArray(
                        new JsonObject { ["data"] = Convert.ToBase64String(png), ["filename"] = "screen.png", ["contentType"] = "image/png" },
                        new JsonObject { ["data"] = Convert.ToBase64String(log), ["filename"] = "out.log" }),
                },
                new JsonObject
                {
                    ["testKey"] = "DEMO-2", ["status"] = "FAIL", ["defects"] = new JsonArray("DEMO-200"),
                    ["iterations"] = new JsonArray(
                        new JsonObject { ["name"] = "bob", ["status"] = "PASS", ["parameters"] = new JsonArray(new JsonObject { ["name"] = "user", ["value"] = "bob" }) },
                        new JsonObject { ["name"] = "eve", ["status"] = "FAIL", ["parameters"] = new JsonArray(new JsonObject { ["name"] = "user", ["value"] = "eve" }) }),
                },
                new JsonObject { ["testKey"] = "DEMO-3", ["status"] = "TODO", ["evidence"] = new JsonArray(new JsonObject { ["data"] = "", ["filename"] = "empty.txt" }) }),
        };

        var reply = await sb.ImportAsync(body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var json = reply.Json;
        Assert.Equal("DEMO-1000", S(json["testExecIssue"]!["key"]));
        Assert.Equal("11000", S(json["testExecIssue"]!["id"]));
        Assert.Equal($"{sb.Server.BaseAddress}rest/api/2/issue/11000", S(json["testExecIssue"]!["self"]));
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], json["testIssues"]!["success"]!.AsArray().Select(n => S(n!["key"])));
        Assert.Empty(json["testIssues"]!["error"]!.AsArray());
        Assert.Empty(json["infoMessages"]!.AsArray());

        var exec = sb.Server.State.Snapshot().Xray.Executions.Single();
        Assert.Equal(("DEMO", "Nightly", "v1.1", "abc123", "DEMO-300", "admin"), (exec.Project, exec.Summary, exec.Version, exec.Revision, exec.TestPlanKey, exec.User));
        Assert.Equal(["linux", "net10"], exec.TestEnvironments);
        Assert.Equal(1, exec.Imports);
        Assert.Equal(["PASS", "FAIL", "TODO"], exec.Tests.Select(t => t.Status));

        var t1 = exec.Tests[0];
        Assert.Equal("ok", t1.Comment);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), t1.Evidence[0].Sha256);
        Assert.Equal(png.Length, t1.Evidence[0].Size);
        Assert.Equal("image/png", t1.Evidence[0].ContentType);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(log)), t1.Evidence[1].Sha256);

        var t2 = exec.Tests[1];
        Assert.Equal(["DEMO-200"], t2.Defects);
        Assert.Equal(["PASS", "FAIL"], t2.Iterations.Select(i => i.Status));
        Assert.Equal("eve", t2.Iterations[1].Parameters.Single().Value);

        // Test-level "evidence" (newer spelling) is accepted too; an empty file is a valid file.
        Assert.Equal(0, exec.Tests[2].Evidence.Single().Size);
    }

    [Fact]
    public async Task Unknown_key_and_non_Test_key_are_partial_failures_and_not_stored()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync("""
            {"info":{"project":"DEMO"},"tests":[
              {"testKey":"DEMO-1","status":"PASS"},
              {"testKey":"DEMO-999","status":"PASS"},
              {"testKey":"DEMO-100","status":"FAIL"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var errors = reply.Json["testIssues"]!["error"]!.AsArray();
        Assert.Equal(["DEMO-999", "DEMO-100"], errors.Select(e => S(e!["testKey"])));
        Assert.Equal("Test with key DEMO-999 was not found.", S(errors[0]!["messages"]![0]));
        Assert.Equal("Issue DEMO-100 is not a Test (issue type: Story).", S(errors[1]!["messages"]![0]));
        Assert.Equal(["DEMO-1"], reply.Json["testIssues"]!["success"]!.AsArray().Select(s => S(s!["key"])));
        Assert.Equal(["DEMO-1"], sb.Server.State.Snapshot().Xray.Executions.Single().Tests.Select(t => t.TestKey));
    }

    [Fact]
    public async Task Status_unknown_to_the_instance_refuses_that_test_only()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync("""
            {"info":{"project":"DEMO"},"tests":[
              {"testKey":"DEMO-1","status":"SKIPPED"},
              {"testKey":"DEMO-2","status":"PASSED"},
              {"testKey":"DEMO-3","status":"ABORTED"},
              {"testKey":"DEMO-4","status":"PASS","iterations":[{"status":"PASS"},{"status":"NOPE"}]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var errors = reply.Json["testIssues"]!["error"]!.AsArray();
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-4"], errors.Select(e => S(e!["testKey"])));
        Assert.Equal("Test Run Status 'SKIPPED' does not exist.", S(errors[0]!["messages"]![0]));
        Assert.Equal("Iteration 2: Test Run Status 'NOPE' does not exist.", S(errors[2]!["messages"]![0]));
        Assert.Equal(["DEMO-3"], sb.Server.State.Snapshot().Xray.Executions.Single().Tests.Select(t => t.TestKey));
    }

    [Fact]
    public async Task All_tests_refused_is_still_200_with_the_execution_created()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-999","status":"PASS"}]}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Empty(reply.Json["testIssues"]!["success"]!.AsArray());
        Assert.Single(reply.Json["testIssues"]!["error"]!.AsArray());
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions.Single().Tests);
    }

    [Fact]
    public async Task Defects_must_be_Bug_issues_and_iterations_at_most_20_parameters()
    {
        await using var sb = await SandboxClient.StartAsync();
        var many = new JsonArray(Enumerable.Range(1, 21).Select(i => (JsonNode)new JsonObject { ["name"] = $"p{i}", ["value"] = "v" }).ToArray());
        var twenty = new JsonArray(Enumerable.Range(1, 20).Select(i => (JsonNode)new JsonObject { ["name"] = $"p{i}", ["value"] = "v" }).ToArray());
        var body = new JsonObject
        {
            ["info"] = new JsonObject { ["project"] = "DEMO" },
            ["tests"] = new JsonArray(
                new JsonObject { ["testKey"] = "DEMO-1", ["status"] = "FAIL", ["defects"] = new JsonArray("DEMO-5") },
                new JsonObject { ["testKey"] = "DEMO-2", ["status"] = "PASS", ["iterations"] = new JsonArray(new JsonObject { ["status"] = "PASS", ["parameters"] = many }) },
                new JsonObject { ["testKey"] = "DEMO-3", ["status"] = "PASS", ["iterations"] = new JsonArray(new JsonObject { ["status"] = "PASS", ["parameters"] = twenty }) }),
        };
        var reply = await sb.ImportAsync(body.ToJsonString());
        var errors = reply.Json["testIssues"]!["error"]!.AsArray();
        Assert.Equal("Issue DEMO-5 is not a defect (issue type: Test).", S(errors[0]!["messages"]![0]));
        Assert.Equal("Iteration 1 has 21 parameters; at most 20 are allowed.", S(errors[1]!["messages"]![0]));
        Assert.Equal(["DEMO-3"], sb.Server.State.Snapshot().Xray.Executions.Single().Tests.Select(t => t.TestKey));
    }

    [Theory]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","foo":1}]}""", "Unknown property 'tests[0].foo'.")]
    [InlineData("""{"info":{"project":"DEMO","color":"red"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Unknown property 'info.color'.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"status":"PASS","iterations":[{"status":"PASS","log":"x"}],"testKey":"DEMO-1"}]}""", "Unknown property 'tests[0].iterations[0].log'.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"status":"PASS","testInfo":{"projectKey":"DEMO","summary":"s","type":"Generic"}}]}""", "Unknown property 'tests[0].testInfo.type' (Xray Cloud spelling; Server/DC uses 'testType').")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1"}]}""", "Property 'tests[0].status' is required.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","iterations":[{"name":"x"}]}]}""", "Property 'tests[0].iterations[0].status' is required.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","steps":[{"comment":"x"}]}]}""", "Property 'tests[0].steps[0].status' is required.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","steps":[],"iterations":[]}]}""", "Properties 'tests[0].steps' and 'tests[0].iterations' are mutually exclusive.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","evidence":[],"evidences":[]}]}""", "Properties 'tests[0].evidence' and 'tests[0].evidences' are mutually exclusive.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","evidences":[{"data":"not base64!","filename":"a.txt"}]}]}""", "Property 'tests[0].evidences[0].data' is not valid base64.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","evidences":[{"data":"","filename":" "}]}]}""", "Property 'tests[0].evidences[0].filename' must not be empty.")]
    [InlineData("""{"info":{"project":"DEMO","startDate":"2024-05-01T10:00:00"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Property 'info.startDate' must be an ISO-8601 date-time with offset (e.g. 2014-08-30T11:47:35+01:00), not '2024-05-01T10:00:00'.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","finish":"2024-13-01T10:00:00Z"}]}""", "Property 'tests[0].finish' must be an ISO-8601 date-time with offset (e.g. 2014-08-30T11:47:35+01:00), not '2024-13-01T10:00:00Z'.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":1}]}""", "Property 'tests[0].status' must be a string.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS","examples":["PASSED"]}]}""", "Property 'tests[0].examples[0]' must be one of EXECUTING, FAIL, PASS, TODO, not 'PASSED'.")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[]}""", "No execution results where provided.")]
    [InlineData("""{"info":{"project":"DEMO"}}""", "No execution results where provided.")]
    [InlineData("""{"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "issuetype: issuetype")]
    [InlineData("""{"info":{"summary":"no project"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "issuetype: issuetype")]
    [InlineData("""{"info":{"project":"NOPE"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Error creating Test Execution - Issue create failed! - project: Specify a valid project ID or key")]
    [InlineData("""{"info":{"project":"DEMO","version":"v9.9"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "fixVersions: fixVersions")]
    [InlineData("""{"info":{"project":"DEMO","testPlanKey":"DEMO-1"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Test Plan with key DEMO-1 was not found.")]
    [InlineData("""{"testExecutionKey":"DEMO-4242","tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Test Execution with key DEMO-4242 was not found.")]
    [InlineData("""{"testExecutionKey":"DEMO-1","tests":[{"testKey":"DEMO-1","status":"PASS"}]}""", "Issue DEMO-1 is not a Test Execution (issue type: Test).")]
    [InlineData("""{"info":{"project":"DEMO"},"tests":[{"status":"PASS","testInfo":{"projectKey":"DEMO","summary":"s","testType":"Generic","requirementKeys":["DEMO-7"]}}]}""", "DEMO-7 is not a requirement issue or is not a valid issue key.")]
    [InlineData("""[1,2]""", "The request body must be a JSON object.")]
    public async Task Request_level_violations_are_400_with_an_error_text_and_store_nothing(string body, string error)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(error, reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Links);
    }

    [Fact]
    public async Task Invalid_JSON_is_400_and_wrong_content_type_is_415()
    {
        await using var sb = await SandboxClient.StartAsync();
        var bad = await sb.ImportAsync("{\"tests\": [");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.StartsWith("Invalid JSON: ", bad.Error);

        var text = await sb.SendAsync(SandboxClient.ImportPath, new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.Status);
        Assert.Equal("Content-Type must be application/json.", text.Error);
    }

    [Fact]
    public async Task Reimport_into_testExecutionKey_replaces_the_run_and_keeps_the_others()
    {
        await using var sb = await SandboxClient.StartAsync();
        var first = await sb.ImportAsync("""
            {"info":{"project":"DEMO","summary":"first","testEnvironments":["a","b"]},"tests":[
              {"testKey":"DEMO-1","status":"FAIL","iterations":[{"status":"FAIL"},{"status":"PASS"},{"status":"PASS"}]},
              {"testKey":"DEMO-2","status":"PASS"}]}
            """);
        var key = S(first.Json["testExecIssue"]!["key"]);

        var second = await sb.ImportAsync($$"""
            {"testExecutionKey":"{{key}}","info":{"summary":"second","testEnvironments":["c"]},"tests":[
              {"testKey":"DEMO-1","status":"PASS","iterations":[{"status":"PASS"}]},
              {"testKey":"DEMO-3","status":"TODO"}]}
            """);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(key, S(second.Json["testExecIssue"]!["key"]));
        var exec = sb.Server.State.Snapshot().Xray.Executions.Single();
        Assert.Equal(2, exec.Imports);
        Assert.Equal("second", exec.Summary);
        Assert.Equal(["c"], exec.TestEnvironments);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], exec.Tests.Select(t => t.TestKey));
        Assert.Equal("PASS", exec.Tests[0].Status);
        Assert.Single(exec.Tests[0].Iterations); // re-import resets the dataset/iterations
    }

    [Fact]
    public async Task Provisioning_by_definition_matches_the_same_Test_the_second_time()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string body = """
            {"info":{"project":"DEMO"},"tests":[{"status":"PASS","testInfo":{"projectKey":"DEMO","summary":"Login works","testType":"Generic","definition":"LoginTests.Valid_user_logs_in"}}]}
            """;
        var first = await sb.ImportAsync(body);
        var second = await sb.ImportAsync(body.Replace("Login works", "Login still works", StringComparison.Ordinal));
        var other = await sb.ImportAsync(body.Replace("Valid_user_logs_in", "Other", StringComparison.Ordinal));

        Assert.Equal("DEMO-500", S(first.Json["testIssues"]!["success"]![0]!["key"]));
        Assert.Equal("DEMO-500", S(second.Json["testIssues"]!["success"]![0]!["key"]));
        Assert.Equal("DEMO-501", S(other.Json["testIssues"]!["success"]![0]!["key"]));
        var tests = sb.Server.State.Snapshot().Xray.Tests;
        Assert.Equal(2, tests.Count);
        Assert.True(tests[0].Provisioned);
        Assert.Equal("Login still works", tests[0].Summary);
        Assert.Equal("LoginTests.Valid_user_logs_in", tests[0].Definition);
        Assert.Equal("Generic", tests[0].TestType);
    }

    [Fact]
    public async Task RequirementKeys_create_links_and_testKey_with_testInfo_updates_that_Test()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync("""
            {"info":{"project":"DEMO"},"tests":[
              {"testKey":"DEMO-1","status":"PASS","testInfo":{"projectKey":"DEMO","summary":"Valid user","testType":"Generic","requirementKeys":["DEMO-100","DEMO-101"]}},
              {"status":"FAIL","testInfo":{"projectKey":"DEMO","summary":"New one","testType":"Manual","requirementKeys":["DEMO-101"],"steps":[{"action":"do"}]}}]}
            """);
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var state = sb.Server.State.Snapshot().Xray;
        Assert.Equal(
            [("DEMO-1", "DEMO-100"), ("DEMO-1", "DEMO-101"), ("DEMO-500", "DEMO-101")],
            state.Links.Select(l => (l.Test, l.Requirement)));
        var updated = state.Tests.Single(t => t.Key == "DEMO-1");
        Assert.False(updated.Provisioned);
        Assert.Equal("Valid user", updated.Summary);
        Assert.Equal(["DEMO-100", "DEMO-101"], updated.RequirementKeys);
        Assert.True(state.Tests.Single(t => t.Key == "DEMO-500").Provisioned);
    }

    [Fact]
    public async Task Version_1_0_answers_testExecIssue_only_and_latest_is_v2()
    {
        await using var sb = await SandboxClient.StartAsync();
        const string body = """{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""";
        var v1 = await sb.ImportAsync(body, "rest/raven/1.0/import/execution");
        var latest = await sb.ImportAsync(body, "rest/raven/latest/import/execution");
        Assert.Equal(HttpStatusCode.OK, v1.Status);
        Assert.Null(v1.Json["testIssues"]);
        Assert.Equal("DEMO-1000", S(v1.Json["testExecIssue"]!["key"]));
        Assert.NotNull(latest.Json["testIssues"]);
        Assert.Equal("DEMO-1001", S(latest.Json["testExecIssue"]!["key"]));
    }
}

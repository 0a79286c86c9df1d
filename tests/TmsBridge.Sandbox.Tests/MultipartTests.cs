using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TmsBridge.Sandbox.Tests;

public sealed class MultipartTests
{
    private const string Path = "rest/raven/2.0/import/execution/multipart";

    private static MultipartFormDataContent Form(string result, string? info)
    {
        // Sent as file parts, as `curl -F result=@results.json` does.
        var form = BrowserForm.Create().Part(new StringContent(result, Encoding.UTF8, "application/json"), "result", "results.json");
        if (info is not null)
            form.Part(new StringContent(info, Encoding.UTF8, "application/json"), "info", "info.json");
        return form;
    }

    [Fact]
    public async Task Creates_execution_from_Jira_fields_and_ignores_info_of_the_result_part()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.SendAsync(Path, xsrf: true, content: Form(
            """{"info":{"project":"NOPE","summary":"ignored"},"tests":[{"testKey":"DEMO-2","status":"FAIL"}]}""",
            """{"fields":{"project":{"id":"10000"},"summary":"From multipart","issuetype":{"name":"Test Execution"},"fixVersions":[{"name":"v2.0"}],"labels":["ci"],"customfield_10032":["x","y"]}}"""));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("DEMO-1000", reply.Json["testExecIssue"]!["key"]!.GetValue<string>());
        var exec = sb.Server.State.Snapshot().Xray.Executions.Single();
        Assert.Equal("From multipart", exec.Summary);
        Assert.Equal("v2.0", exec.Version);
        Assert.Equal("""["x","y"]""", exec.Fields["customfield_10032"].GetRawText());
        Assert.Equal("""["ci"]""", exec.Fields["labels"].GetRawText());
        Assert.Equal("FAIL", exec.Tests.Single().Status);

        var state = await sb.StateAsync();
        Assert.Equal("y", state["xray"]!["executions"]![0]!["fields"]!["customfield_10032"]![1]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"summary":"s","issuetype":{"name":"Bug"}}}""", "Error creating Test Execution - Issue create failed! - issuetype: The issue type selected is invalid.")]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"issuetype":{"id":"10007"}}}""", "Error creating Test Execution - Issue create failed! - summary: You must specify a summary of the issue.")]
    [InlineData("""{"fields":{"project":{"key":"XYZ"},"summary":"s","issuetype":{"id":"10007"}}}""", "Error creating Test Execution - Issue create failed! - project: Specify a valid project ID or key")]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"summary":"s","issuetype":{"id":"10007"},"fixVersions":[{"name":"v7"}]}}""", "fixVersions: fixVersions")]
    [InlineData("""{"project":{"key":"DEMO"}}""", "Unknown property 'project' in part 'info' (expected 'fields').")]
    [InlineData(null, "Part 'info' is required to create a Test Execution (Jira issue fields).")]
    public async Task Invalid_info_part_is_400(string? info, string error)
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.SendAsync(Path, xsrf: true, content: Form("""{"tests":[{"testKey":"DEMO-2","status":"FAIL"}]}""", info));
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(error, reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
    }

    [Fact]
    public async Task Result_part_gets_the_same_validation_and_updates_existing_execution()
    {
        await using var sb = await SandboxClient.StartAsync();
        var bad = await sb.SendAsync(Path, xsrf: true, content: Form("""{"tests":[{"testKey":"DEMO-2","status":"FAIL","bogus":true}]}""",
            """{"fields":{"project":{"key":"DEMO"},"summary":"s","issuetype":{"id":"10007"}}}"""));
        Assert.Equal("Unknown property 'tests[0].bogus'.", bad.Error);

        var created = await sb.ImportAsync("""{"info":{"project":"DEMO","summary":"json"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""");
        var key = created.Json["testExecIssue"]!["key"]!.GetValue<string>();
        var update = await sb.SendAsync(Path, xsrf: true, content: Form($$"""{"testExecutionKey":"{{key}}","tests":[{"testKey":"DEMO-1","status":"FAIL"}]}""",
            """{"fields":{"description":"updated","customfield_1":"z"}}"""));
        Assert.Equal(HttpStatusCode.OK, update.Status);
        var exec = sb.Server.State.Snapshot().Xray.Executions.Single();
        Assert.Equal(("json", "updated", "FAIL", 2), (exec.Summary, exec.Description, exec.Tests.Single().Status, exec.Imports));
        Assert.Equal("\"z\"", exec.Fields["customfield_1"].GetRawText());
    }

    [Fact]
    public async Task Multipart_needs_auth_and_multipart_content_type()
    {
        await using var sb = await SandboxClient.StartAsync();
        var noAuth = await sb.SendAsync(Path, xsrf: true, content: Form("""{"tests":[]}""", null), noAuth: true);
        Assert.Equal(HttpStatusCode.Unauthorized, noAuth.Status);
        var json = await sb.SendAsync(Path, xsrf: true, content: new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.Status);
        var extra = Form("""{"tests":[{"testKey":"DEMO-2","status":"FAIL"}]}""", null);
        extra.Part(new StringContent("x"), "file");
        Assert.Equal("Unknown multipart part 'file' (expected 'result' and 'info').", (await sb.SendAsync(Path, xsrf: true, content: extra)).Error);
    }
}

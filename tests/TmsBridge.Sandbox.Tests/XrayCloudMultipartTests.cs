using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

public sealed class XrayCloudMultipartTests
{
    private const string Path = "api/v2/import/execution/multipart";

    private static MultipartFormDataContent Form(string results, string? info, string resultsPart = "results")
    {
        var form = BrowserForm.Create().Part(new StringContent(results, Encoding.UTF8, "application/json"), resultsPart, "results.json");
        if (info is not null)
            form.Part(new StringContent(info, Encoding.UTF8, "application/json"), "info", "info.json");
        return form;
    }

    private static async Task<SandboxClient> StartWithRequiredFieldAsync()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].RequiredExecutionFields = new() { ["customfield_10115"] = "Story Points" };
        return await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
    }

    private static Task<Reply> SendAsync(SandboxClient sb, MultipartFormDataContent form, string token) =>
        sb.SendAsync(Path, form, new AuthenticationHeaderValue("Bearer", token));

    [Fact]
    public async Task Missing_required_field_is_refused_with_Jira_text()
    {
        await using var sb = await StartWithRequiredFieldAsync();
        var reply = await SendAsync(sb, Form(
            """{"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""",
            """{"fields":{"project":{"key":"DEMO"},"summary":"S","issuetype":{"name":"Test Execution"}}}"""), await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Error creating Test Execution - Issue create failed! - customfield_10115: Story Points is required.", reply.Error);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);

        // The plain JSON endpoint cannot fill the field at all.
        var json = await sb.PostBearerAsync(SandboxClient.CloudImportPath,
            """{"info":{"project":"DEMO","summary":"S"},"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", await sb.CloudTokenAsync());
        Assert.Equal("Error creating Test Execution - Issue create failed! - customfield_10115: Story Points is required.", json.Error);
    }

    [Fact]
    public async Task Present_required_field_creates_the_execution_storing_all_fields_and_xrayFields()
    {
        await using var sb = await StartWithRequiredFieldAsync();
        var reply = await SendAsync(sb, Form(
            """{"info":{"project":"NOPE","summary":"ignored"},"tests":[{"testKey":"DEMO-1","status":"PASSED"},{"testKey":"DEMO-2","status":"FAILED"}]}""",
            """
            {"fields":{"project":{"key":"DEMO"},"summary":"From multipart","description":"marker m-1","issuetype":{"name":"Test Execution"},
                       "customfield_10115":5,"labels":["nightly"]},
             "xrayFields":{"testPlanKey":"DEMO-300","environments":["chrome","windows"]}}
            """), await sb.CloudTokenAsync());

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("DEMO-1000", reply.Json["key"]!.GetValue<string>());
        Assert.Null(reply.Json["testIssues"]);
        var exec = sb.Server.State.Snapshot().XrayCloud.Executions.Single();
        Assert.Equal(("From multipart", "marker m-1", "DEMO-300"), (exec.Summary, exec.Description, exec.TestPlanKey));
        Assert.Equal(["chrome", "windows"], exec.TestEnvironments);
        Assert.Equal("5", exec.Fields["customfield_10115"].GetRawText());
        Assert.Equal("""["nightly"]""", exec.Fields["labels"].GetRawText());
        Assert.Equal("From multipart", exec.Fields["summary"].GetString());     // all given fields are kept
        Assert.Equal(["PASSED", "FAILED"], exec.Tests.Select(t => t.Status));
    }

    [Theory]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"summary":"S","issuetype":{"name":"Test Execution"},"customfield_10115":1},"xrayFields":{"environments":["dev"]}}""",
        "Error importing results: the following environments don't exist or are not in the context of test execution project: 'dev'!")]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"issuetype":{"name":"Test Execution"},"customfield_10115":1}}""",
        "Error creating Test Execution - Issue create failed! - summary: You must specify a summary of the issue.")]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"summary":"S","issuetype":{"name":"Test Execution"},"customfield_10115":1},"xrayFields":{"foo":1}}""",
        "Unknown property 'xrayFields.foo' in part 'info' (expected 'testPlanKey' and 'environments').")]
    [InlineData("""{"fields":{"project":{"key":"DEMO"},"summary":"S","issuetype":{"name":"Test Execution"},"customfield_10115":""}}""",
        "Error creating Test Execution - Issue create failed! - customfield_10115: Story Points is required.")]
    public async Task Info_part_problems_are_400(string info, string expected)
    {
        await using var sb = await StartWithRequiredFieldAsync();
        var reply = await SendAsync(sb, Form("""{"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", info), await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(expected, reply.Error);
    }

    [Fact]
    public async Task The_DC_part_name_result_is_refused_with_a_hint()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await SendAsync(sb, Form("""{"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""",
            """{"fields":{"project":{"key":"DEMO"},"summary":"S","issuetype":{"name":"Test Execution"}}}""", resultsPart: "result"), await sb.CloudTokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("'result' is the Server/DC spelling", reply.Error);
    }

    [Fact]
    public async Task Multipart_needs_a_token()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.SendAsync(Path, Form("""{"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}""", null), noAuth: true);
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace TmsBridge.Sandbox.Tests;

public sealed class AuthTests
{
    private const string Body = """{"info":{"project":"DEMO"},"tests":[{"testKey":"DEMO-1","status":"PASS"}]}""";
    private const string JiraNotAuthenticated =
        """{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}""";

    [Fact]
    public async Task No_authorization_header_is_401_in_Jira_shape()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync(Body, noAuth: true);
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(JiraNotAuthenticated, reply.Text);
        Assert.Equal("application/json", reply.MediaType);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
    }

    [Fact]
    public async Task Wrong_password_is_401_and_never_echoed()
    {
        await using var sb = await SandboxClient.StartAsync();
        var reply = await sb.ImportAsync(Body, auth: SandboxClient.Basic("admin", "s3cret-wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(JiraNotAuthenticated, reply.Text);
        Assert.DoesNotContain("s3cret-wrong", reply.Text);
        var state = (await sb.StateAsync()).ToJsonString();
        Assert.DoesNotContain("s3cret-wrong", state);
        Assert.DoesNotContain("Authorization", state, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_PAT_is_401_right_PAT_is_200()
    {
        await using var sb = await SandboxClient.StartAsync();
        var wrong = await sb.ImportAsync(Body, auth: new AuthenticationHeaderValue("Bearer", "not-the-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.DoesNotContain("not-the-token", wrong.Text);

        var right = await sb.ImportAsync(Body, auth: new AuthenticationHeaderValue("Bearer", "sandbox-pat-token"));
        Assert.Equal(HttpStatusCode.OK, right.Status);
        Assert.Equal("DEMO-1000", right.Json["testExecIssue"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_user_and_malformed_basic_are_401()
    {
        await using var sb = await SandboxClient.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.ImportAsync(Body, auth: SandboxClient.Basic("bob", "admin"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sb.ImportAsync(Body, auth: new AuthenticationHeaderValue("Basic", "%%%"))).Status);
    }
}

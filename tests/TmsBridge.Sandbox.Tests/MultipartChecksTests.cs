using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TmsBridge.Sandbox.Seed;

namespace TmsBridge.Sandbox.Tests;

/// <summary>
/// The sandbox refuses multipart requests the way real deployments do: Jira Server/DC's XSRF check
/// (403 "XSRF check failed" without <c>X-Atlassian-Token: no-check</c>) on the Xray DC multipart
/// import and the AIO Server attachment, and a firewall's refusal of .NET's default form shape
/// (quoted boundary, unquoted <c>name=</c>) on every multipart endpoint.
/// </summary>
public sealed class MultipartChecksTests
{
    private const string XrayDcPath = "rest/raven/2.0/import/execution/multipart";
    private const string XrayCloudPath = "api/v2/import/execution/multipart";
    private const string Results = """{"tests":[{"testKey":"DEMO-2","status":"FAIL"}]}""";
    private const string Info = """{"fields":{"project":{"key":"DEMO"},"summary":"From multipart","issuetype":{"name":"Test Execution"}}}""";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MultipartFormDataContent XrayForm(string resultsPart = "result") => BrowserForm.Create()
        .Part(new StringContent(Results, Encoding.UTF8, "application/json"), resultsPart, "results.json")
        .Part(new StringContent(Info, Encoding.UTF8, "application/json"), "info", "info.json");

    /// <summary>What .NET's MultipartFormDataContent sends by default: boundary="…" and name=result.</summary>
    private static MultipartFormDataContent DotNetDefaultForm(string resultsPart = "result") => new()
    {
        { new StringContent(Results, Encoding.UTF8, "application/json"), resultsPart, "results.json" },
        { new StringContent(Info, Encoding.UTF8, "application/json"), "info", "info.json" },
    };

    private static async Task<(HttpStatusCode Status, string Text, string? MediaType)> PostAsync(SandboxClient sb, string path, HttpContent content, AuthenticationHeaderValue? auth, bool xsrf)
    {
        using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = auth;
        if (xsrf) request.Headers.Add(BrowserForm.XsrfHeader, "no-check");
        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Content.Headers.ContentType?.MediaType);
    }

    private static AuthenticationHeaderValue Jira => SandboxClient.Basic("admin", "admin");

    [Fact]
    public async Task Xray_DC_multipart_without_the_XSRF_header_is_refused_like_Jira_does()
    {
        await using var sb = await SandboxClient.StartAsync();

        var refused = await PostAsync(sb, XrayDcPath, XrayForm(), Jira, xsrf: false);
        Assert.Equal((HttpStatusCode.Forbidden, "XSRF check failed", "text/plain"), refused);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);

        // Authentication comes first: no credentials is still a 401.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(sb, XrayDcPath, XrayForm(), null, xsrf: false)).Status);

        var accepted = await PostAsync(sb, XrayDcPath, XrayForm(), Jira, xsrf: true);
        Assert.Equal(HttpStatusCode.OK, accepted.Status);
        Assert.Single(sb.Server.State.Snapshot().Xray.Executions);
    }

    [Fact]
    public async Task AIO_Server_attachment_without_the_XSRF_header_is_refused_and_Cloud_needs_none()
    {
        await using var sb = await SandboxClient.StartAsync();
        foreach (var (b, auth) in new[] { ("rest/aio-tcms-api/1.0/", Jira), ("aio-tcms/api/v1/", new AuthenticationHeaderValue("AioAuth", SandboxSeed.DemoAioToken)) })
        {
            using var http = new HttpClient { BaseAddress = sb.Server.BaseAddress };
            http.DefaultRequestHeaders.Authorization = auth;
            using var bulk = await http.PostAsync($"{b}project/DEMO/testcycle/DEMO-CY-1/bulk/testrun/update?createNewRun=false&addCaseToCycle=true",
                new StringContent("""{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed"}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        }
        var serverRun = sb.Server.State.Snapshot().AioServer.Cycles.Single().Runs.Single().Id;
        var cloudRun = sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Id;
        MultipartFormDataContent File() => BrowserForm.Create().Part(new ByteArrayContent([1, 2, 3]), "file", "shot.png");

        var refused = await PostAsync(sb, $"rest/aio-tcms-api/1.0/project/DEMO/testcycle/DEMO-CY-1/testrun/{serverRun}/attachment", File(), Jira, xsrf: false);
        Assert.Equal((HttpStatusCode.Forbidden, "XSRF check failed", "text/plain"), refused);
        Assert.Empty(sb.Server.State.Snapshot().AioServer.Cycles.Single().Runs.Single().Attachments);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(sb, $"rest/aio-tcms-api/1.0/project/DEMO/testcycle/DEMO-CY-1/testrun/{serverRun}/attachment", File(), Jira, xsrf: true)).Status);

        // AIO Cloud is not Jira: no XSRF check there.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(sb, $"aio-tcms/api/v1/project/DEMO/testcycle/DEMO-CY-1/testrun/{cloudRun}/attachment", File(),
            new AuthenticationHeaderValue("AioAuth", SandboxSeed.DemoAioToken), xsrf: false)).Status);
    }

    [Fact]
    public async Task Dot_NET_default_multipart_shape_is_refused_on_every_multipart_endpoint()
    {
        await using var sb = await SandboxClient.StartAsync();
        var dc = await PostAsync(sb, XrayDcPath, DotNetDefaultForm(), Jira, xsrf: true);
        Assert.Equal(HttpStatusCode.BadRequest, dc.Status);
        Assert.Contains("Malformed multipart request: the multipart boundary is quoted", dc.Text);

        var token = await sb.CloudTokenAsync();
        var cloud = await PostAsync(sb, XrayCloudPath, DotNetDefaultForm("results"), new AuthenticationHeaderValue("Bearer", token), xsrf: false);
        Assert.Equal(HttpStatusCode.BadRequest, cloud.Status);
        Assert.Contains("the multipart boundary is quoted", cloud.Text);

        // An unquoted boundary alone is not enough: name=result unquoted is refused too.
        var unquotedName = DotNetDefaultForm();
        var boundary = unquotedName.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary");
        boundary.Value = boundary.Value!.Trim('"');
        var named = await PostAsync(sb, XrayDcPath, unquotedName, Jira, xsrf: true);
        Assert.Equal(HttpStatusCode.BadRequest, named.Status);
        Assert.Contains("has the unquoted parameter name=", named.Text);
        Assert.Empty(sb.Server.State.Snapshot().Xray.Executions);
        Assert.Empty(sb.Server.State.Snapshot().XrayCloud.Executions);

        // The browser's shape passes, a non-ASCII file name (raw UTF-8, plus filename*) included: TmsBridge's bytes.
        const string b = "----TmsBridgeFormBoundary0123456789abcdef";
        var raw = new ByteArrayContent(Encoding.UTF8.GetBytes(
            $"--{b}\r\nContent-Disposition: form-data; name=\"results\"; filename=\"résultats.json\"; filename*=utf-8''r%C3%A9sultats.json\r\nContent-Type: application/json\r\n\r\n{Results.Replace("\"FAIL\"", "\"FAILED\"")}\r\n" +
            $"--{b}\r\nContent-Disposition: form-data; name=\"info\"; filename=\"info.json\"\r\nContent-Type: application/json\r\n\r\n{Info}\r\n--{b}--\r\n"));
        raw.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + b);
        var ok = await PostAsync(sb, XrayCloudPath, raw, new AuthenticationHeaderValue("Bearer", token), xsrf: false);
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
    }

    [Fact]
    public async Task AIO_attachment_in_the_dot_NET_default_shape_is_refused()
    {
        await using var sb = await SandboxClient.StartAsync();
        var cloud = new AuthenticationHeaderValue("AioAuth", SandboxSeed.DemoAioToken);
        using (var http = new HttpClient { BaseAddress = sb.Server.BaseAddress })
        {
            http.DefaultRequestHeaders.Authorization = cloud;
            using var bulk = await http.PostAsync("aio-tcms/api/v1/project/DEMO/testcycle/DEMO-CY-1/bulk/testrun/update?createNewRun=false&addCaseToCycle=true",
                new StringContent("""{"testRuns":[{"testCaseKey":"DEMO-TC-1","testRunStatus":"Passed"}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.OK, bulk.StatusCode);
        }
        var run = sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Id;
        var form = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "shot.png" } };
        var refused = await PostAsync(sb, $"aio-tcms/api/v1/project/DEMO/testcycle/DEMO-CY-1/testrun/{run}/attachment", form, cloud, xsrf: false);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.StartsWith("Malformed multipart request: the multipart boundary is quoted", refused.Text);
        Assert.Empty(sb.Server.State.Snapshot().Aio.Cycles.Single().Runs.Single().Attachments);
    }
}

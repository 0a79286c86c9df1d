using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Http;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Multipart requests as browsers and <c>curl -F</c> send them (issue 8, items 8 and 9), checked on
/// the raw bytes a real loopback listener received: an unquoted boundary, part headers exactly
/// <c>Content-Disposition: form-data; name="file"; filename="x.png"</c> + <c>Content-Type</c>, and
/// <c>X-Atlassian-Token: no-check</c> on every multipart call to a Jira Server/DC flavour.
/// </summary>
public sealed class MultipartInteropTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();
    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private string RunFolder => _dir.Combine("TestResults/tms");

    /// <summary>The boundary curl 7.88.1 chose in the capture the expected bytes below come from.</summary>
    private const string CurlBoundary = "------------------------3c89387518195995";

    private static async Task<TinyHttpServer.Request> SendAsync(BrowserMultipart form)
    {
        using var server = new TinyHttpServer(_ => new TinyHttpServer.Reply(200, "{}"));
        using var client = new HttpClient();
        using var response = await client.SendAsync(BrowserMultipart.Post(new Uri(server.BaseUrl, "upload"), form, jiraServer: false), TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        return Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_file_part_is_byte_for_byte_what_curl_F_sends()
    {
        // curl -F "file=@x.png;type=image/png" http://127.0.0.1:PORT/a, captured on a raw socket:
        //   Content-Length: 185
        //   Content-Type: multipart/form-data; boundary=------------------------3c89387518195995
        var curl = "--" + CurlBoundary + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
            + "Content-Type: image/png\r\n"
            + "\r\n"
            + "PNG\r\n"
            + "--" + CurlBoundary + "--\r\n";
        var file = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("PNG")));

        var request = await SendAsync(new BrowserMultipart(CurlBoundary).AddFile("file", "x.png", file, "image/png"));

        Assert.Equal("multipart/form-data; boundary=" + CurlBoundary, request.Header("Content-Type"));
        Assert.Equal("185", request.Header("Content-Length"));
        Assert.Equal(Encoding.UTF8.GetBytes(curl), request.RawBody);
        Assert.Null(request.Header(BrowserMultipart.JiraXsrfHeader));
    }

    [Fact]
    public async Task A_text_field_is_what_curl_F_name_value_sends()
    {
        // curl -F "reportType=JUNIT" -F "file=@x.png;type=image/png": a field has no Content-Type.
        var curl = "--" + CurlBoundary + "\r\n"
            + "Content-Disposition: form-data; name=\"reportType\"\r\n"
            + "\r\n"
            + "JUNIT\r\n"
            + "--" + CurlBoundary + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
            + "Content-Type: image/png\r\n"
            + "\r\n"
            + "PNG\r\n"
            + "--" + CurlBoundary + "--\r\n";
        var file = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("PNG")));

        var request = await SendAsync(new BrowserMultipart(CurlBoundary).AddText("reportType", "JUNIT").AddFile("file", "x.png", file, "image/png"));

        Assert.Equal(Encoding.UTF8.GetBytes(curl), request.RawBody);
    }

    [Fact]
    public async Task A_non_ASCII_file_name_goes_as_UTF_8_like_a_browser_plus_filename_star()
    {
        // curl -F "file=@évidence ü.png;type=image/png" sends the name as raw UTF-8 in filename="…"
        // (as browsers do); filename* (RFC 5987) is added for servers that read only that.
        var expected = "--" + CurlBoundary + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"évidence ü.png\"; filename*=utf-8''%C3%A9vidence%20%C3%BC.png\r\n"
            + "Content-Type: image/png\r\n"
            + "\r\n"
            + "PNG\r\n"
            + "--" + CurlBoundary + "--\r\n";
        var file = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes("PNG")));

        var request = await SendAsync(new BrowserMultipart(CurlBoundary).AddFile("file", "évidence ü.png", file, "image/png"));

        Assert.Equal("multipart/form-data; boundary=" + CurlBoundary, request.Header("Content-Type"));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), request.RawBody);
        Assert.Equal(Encoding.UTF8.GetByteCount(expected).ToString(System.Globalization.CultureInfo.InvariantCulture), request.Header("Content-Length"));
    }

    [Theory]
    [InlineData("x.png", "form-data; name=\"file\"; filename=\"x.png\"")]
    [InlineData("say \"hi\".txt", "form-data; name=\"file\"; filename=\"say %22hi%22.txt\"")]
    [InlineData("a\r\nb.txt", "form-data; name=\"file\"; filename=\"a%0D%0Ab.txt\"")]
    [InlineData("日本.log", "form-data; name=\"file\"; filename=\"日本.log\"; filename*=utf-8''%E6%97%A5%E6%9C%AC.log")]
    public void Names_are_escaped_the_way_browsers_escape_them(string fileName, string expected) =>
        Assert.Equal(expected, BrowserMultipart.Disposition("file", fileName));

    [Fact]
    public void The_boundary_is_a_token_that_never_needs_quotes()
    {
        var form = new BrowserMultipart();
        Assert.Matches("^----TmsBridgeFormBoundary[0-9a-f]{16}$", form.Boundary);
        Assert.Equal("multipart/form-data; boundary=" + form.Boundary, form.Headers.ContentType!.ToString());
        Assert.Throws<ArgumentException>(() => new BrowserMultipart("needs \"quotes\""));
    }

    /// <summary>Each part's header block, as bytes decoded as UTF-8 (between the boundary line and the blank line).</summary>
    private static List<string> PartHeaders(TinyHttpServer.Request request)
    {
        var contentType = request.Header("Content-Type")!;
        Assert.Matches("^multipart/form-data; boundary=[0-9A-Za-z_.-]+$", contentType);
        var boundary = contentType.Substring(contentType.IndexOf('=') + 1);
        var body = Encoding.UTF8.GetString(request.RawBody!);
        Assert.StartsWith("--" + boundary + "\r\n", body);
        Assert.EndsWith("\r\n--" + boundary + "--\r\n", body);
        return body.Split("--" + boundary + "\r\n").Skip(1).Select(p => p.Substring(0, p.IndexOf("\r\n\r\n", StringComparison.Ordinal))).ToList();
    }

    private static TmsOptions Options(string target, Uri baseUrl, (string, string)[] secrets, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", target).Add("baseUrl", baseUrl.ToString()).Add("project", "DEMO");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var (name, value) in secrets) env.Add(name, value);
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static readonly TinyHttpServer.Reply XrayCreated = new(200, """{"testExecIssue":{"id":"10001","key":"DEMO-900","self":"https://acme.atlassian.net/rest/api/2/issue/10001"},"testIssues":{"success":[],"error":[]},"infoMessages":[],"id":"10001","key":"DEMO-900"}""");

    [Theory]
    [InlineData("xray", "/rest/raven/2.0/import/execution/multipart", "result", true)]
    [InlineData("xray-cloud", "/api/v2/import/execution/multipart", "results", false)]
    public async Task The_Xray_multipart_import_is_browser_shaped_and_DC_carries_the_XSRF_header(string target, string path, string resultsPart, bool jiraServer)
    {
        using var server = new TinyHttpServer(r => r.Path == "/api/v2/authenticate" ? new TinyHttpServer.Reply(200, "\"tok-1\"") : XrayCreated);
        (string, string)[] secrets = jiraServer ? [("token", "pat-0123456789")] : [("clientId", "0123456789ABCDEF0123456789ABCDEF"), ("clientSecret", "cs-secret-0123456789")];
        var options = Options(target, server.BaseUrl, secrets, ("executionFields", """{"customfield_10115": 3}"""));
        var report = await Publisher.PublishAsync(TestPublishRequests.Create(RunFolder, options, [Result("Ns.C.Passes", keys: ["DEMO-1"], sequence: 1)]), _output, Ct);

        Assert.Empty(report.Errors);
        var import = Assert.Single(server.Requests, r => r.Path == path);
        Assert.Equal(
        [
            $"Content-Disposition: form-data; name=\"{resultsPart}\"; filename=\"results.json\"\r\nContent-Type: application/json",
            "Content-Disposition: form-data; name=\"info\"; filename=\"info.json\"\r\nContent-Type: application/json",
        ], PartHeaders(import));
        Assert.Equal(jiraServer ? "no-check" : null, import.Header("X-Atlassian-Token"));
        Assert.Equal(3, (int)JsonNode.Parse(Multipart.Parse(import.ContentType, import.Body)[1].Body)!["fields"]!["customfield_10115"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_AIO_attachment_is_browser_shaped_and_Server_carries_the_XSRF_header(bool server)
    {
        using var aio = new FakeAio(cloud: !server);
        aio.AddCycle("existing");
        var result = Result("Ns.C.Passes", keys: ["DEMO-TC-1"], sequence: 1);
        var path = _dir.File("ev/screen shot é.png", [0x89, 0x50, 0x4E, 0x47]);
        result.Attachments = [new EvidenceFile { Path = path, FileName = "screen shot é.png", ContentType = "image/png", Size = 4 }];
        var options = server
            ? Options("aio", aio.BaseUrl, [("password", "jira-Pa55word")], ("user", "admin"), ("testExecution", "DEMO-CY-10"))
            : Options("aio-cloud", aio.BaseUrl, [("token", "aio-token-0123456789abcdef")], ("testExecution", "DEMO-CY-10"));
        var report = await Publisher.PublishAsync(TestPublishRequests.Create(RunFolder, options, [result]), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(report.SkippedEvidence);
        var upload = Assert.Single(aio.RequestsTo("POST", @"testcycle/DEMO-CY-10/testrun/[0-9]+/attachment"));
        Assert.Equal(
        [
            "Content-Disposition: form-data; name=\"file\"; filename=\"screen shot é.png\"; filename*=utf-8''screen%20shot%20%C3%A9.png\r\nContent-Type: image/png",
        ], PartHeaders(upload));
        Assert.Equal(server ? "no-check" : null, upload.Header("X-Atlassian-Token"));
        // The file's bytes exactly, right after the part headers.
        var boundary = upload.Header("Content-Type")!.Split('=')[1];
        var head = Encoding.UTF8.GetBytes("--" + boundary + "\r\n" + PartHeaders(upload)[0] + "\r\n\r\n");
        Assert.Equal([.. head, 0x89, 0x50, 0x4E, 0x47, .. Encoding.ASCII.GetBytes("\r\n--" + boundary + "--\r\n")], upload.RawBody);
        // Only multipart calls need it: the JSON calls go without.
        Assert.All(aio.Requests.Where(r => r != upload), r => Assert.Null(r.Header("X-Atlassian-Token")));
    }
}

using System.Text.Json.Nodes;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// target xray-cloud end to end through Publisher.PublishAsync against a real HttpListener on
/// 127.0.0.1 playing Xray Cloud (baseUrl points the backend at it): authentication, token renewal,
/// answers, splitting into several imports, 413 and 400 handling, the lost-create lookup,
/// executionFields through the multipart import, and progress marks.
/// </summary>
public sealed class XrayCloudPublisherTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private const string ClientId = "0123456789ABCDEF0123456789ABCDEF";
    private const string ClientSecret = "cs-9f8e7d6c5b4a-TOP-SECRET-0011";
    private const string Self = "https://acme.atlassian.net/rest/api/2/issue/10200";

    private const string AuthPath = "/api/v2/authenticate";
    private const string ImportPath = "/api/v2/import/execution";
    private const string MultipartPath = "/api/v2/import/execution/multipart";
    private const string GraphQlPath = "/api/v2/graphql";

    private string RunFolder => _dir.Combine("TestResults/tms");
    private readonly List<PublishMark> _marks = [];

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord>? results = null) =>
        TestPublishRequests.Create(RunFolder, options, results ?? Sample(), defaultSummary: "Tests: automated test run", progress: m => { lock (_marks) _marks.Add(m); });

    private static List<TestResultRecord> Sample() =>
    [
        Result("Ns.C.Passes", keys: ["DEMO-1"], sequence: 1),
        Result("Ns.C.Fails", TestOutcome.Failed, keys: ["DEMO-2"], sequence: 2),
        Result("Ns.C.AlsoPasses", keys: ["DEMO-3"], sequence: 3),
    ];

    /// <summary>Three keys, each with one evidence file of <paramref name="bytes"/> bytes.</summary>
    private List<TestResultRecord> WithEvidence(int bytes)
    {
        var results = Sample();
        foreach (var r in results)
        {
            var content = new byte[bytes];
            new Random(r.Sequence).NextBytes(content);
            var path = _dir.File($"ev/{r.Sequence}/shot.png", content);
            r.Attachments = [new EvidenceFile { Path = path, FileName = "shot.png", ContentType = "image/png", Size = bytes }];
        }
        return results;
    }

    private static TmsOptions Cloud(Uri baseUrl, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", "xray-cloud").Add("baseUrl", baseUrl.ToString()).Add("project", "DEMO").Add("timeout", "30");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var options = ConfigurationResolver.Resolve([
            new ConfigurationLayer("environment", allowsSecrets: true).Add("clientId", ClientId).Add("clientSecret", ClientSecret),
            layer,
        ]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static TinyHttpServer.Reply Token(string token) => new(200, "\"" + token + "\"");
    private static TinyHttpServer.Reply Created(string key = "DEMO-900") => new(200, $$"""{"id":"10200","key":"{{key}}","self":"{{Self}}"}""");

    private static List<TinyHttpServer.Request> Imports(TinyHttpServer server) =>
        server.Requests.Where(r => r.Path is ImportPath or MultipartPath).ToList();

    private static JsonNode Json(TinyHttpServer.Request r) => JsonNode.Parse(r.Body)!;
    private static List<string?> TestKeys(TinyHttpServer.Request r) => Json(r)["tests"]!.AsArray().Select(t => (string?)t!["testKey"]).ToList();

    private string ReportText() => File.ReadAllText(Path.Combine(RunFolder, "20260506T070809Z-ab12cd34.report.json"));

    [Fact]
    public async Task Authenticates_then_imports_with_the_token_and_reads_the_answer()
    {
        using var server = new TinyHttpServer(r => r.Path switch
        {
            AuthPath => Token("tok-1"),
            ImportPath => Created(),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        Assert.Equal([AuthPath, ImportPath], server.Requests.Select(r => r.Path));
        var auth = server.Requests[0];
        Assert.Equal("POST", auth.Method);
        Assert.StartsWith("application/json", auth.ContentType);
        Assert.Equal(ClientId, (string?)Json(auth)["client_id"]);
        Assert.Equal(ClientSecret, (string?)Json(auth)["client_secret"]);

        var import = server.Requests[1];
        Assert.Equal("Bearer tok-1", import.Authorization);
        XrayCloudSchemaCheck.AssertValid(import.Body);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], TestKeys(import));
        Assert.Equal("FAILED", (string?)Json(import)["tests"]![1]!["status"]);
        Assert.Contains("TmsBridge run 20260506T070809Z-ab12cd34", (string?)Json(import)["info"]!["description"]);

        // {id, key, self}: the browse URL is on the Jira site that "self" names, not on the Xray host.
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.Equal("10200", report.Execution.Id);
        Assert.Equal("https://acme.atlassian.net/browse/DEMO-900", report.Execution.Url);
        Assert.False(report.Execution.Reused);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal("Xray Cloud", report.TargetName);
        Assert.DoesNotContain(ClientSecret, ReportText());
        Assert.DoesNotContain(ClientSecret, _output.All);
    }

    [Fact]
    public async Task A_401_on_import_renews_the_token_once_and_resends()
    {
        var auths = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            AuthPath => Token("tok-" + Interlocked.Increment(ref auths)),
            ImportPath => r.Authorization == "Bearer tok-2" ? Created() : new TinyHttpServer.Reply(401, """{"error":"Expired token"}"""),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        Assert.Equal([(AuthPath, (string?)null), (ImportPath, "Bearer tok-1"), (AuthPath, null), (ImportPath, "Bearer tok-2")],
            server.Requests.Select(r => (r.Path, r.Path == AuthPath ? null : r.Authorization)));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal("DEMO-900", report.Execution!.Key);
    }

    [Fact]
    public async Task A_second_401_is_an_error_after_one_renewal()
    {
        var auths = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            AuthPath => Token("tok-" + Interlocked.Increment(ref auths)),
            _ => new TinyHttpServer.Reply(401, """{"error":"Unauthorized"}"""),
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal(2, server.Requests.Count(r => r.Path == AuthPath));
        Assert.Equal(2, Imports(server).Count);
        var error = Assert.Single(report.Errors);
        Assert.Contains("401", error);
        Assert.Contains("TMS_CLIENT_SECRET", error);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task A_bad_api_key_is_a_clear_error_that_never_shows_the_secret()
    {
        // A hostile server echoing what it got: the redactor must catch the secret in the body.
        using var server = new TinyHttpServer(r => r.Path == AuthPath
            ? new TinyHttpServer.Reply(401, "The Xray license is not valid (" + r.Body + ")", "text/plain")
            : Created());
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal([AuthPath], server.Requests.Select(r => r.Path)); // nothing imported
        var error = Assert.Single(report.Errors);
        Assert.Contains("refused the API key", error);
        Assert.Contains(ClientId, error);
        Assert.Contains("TMS_CLIENT_ID", error);
        Assert.Contains("TMS_CLIENT_SECRET", error);
        Assert.Contains("The Xray license is not valid", error);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.True(report.PublishFailed);
        Assert.DoesNotContain(ClientSecret, error);
        Assert.DoesNotContain(ClientSecret, ReportText());
        Assert.DoesNotContain(ClientSecret, _output.All);
        Assert.Contains(_output.Errors, l => l.Contains("TMS_CLIENT_SECRET"));
    }

    [Fact]
    public async Task Missing_api_key_sends_nothing_and_names_both_variables()
    {
        using var server = new TinyHttpServer(_ => Created());
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "xray-cloud").Add("baseUrl", server.BaseUrl.ToString()).Add("project", "DEMO")]);
        var report = await Publisher.PublishAsync(Request(options), _output, TestContext.Current.CancellationToken);
        Assert.Empty(server.Requests);
        var errors = string.Join("\n", report.Errors);
        Assert.Contains("TMS_CLIENT_ID", errors);
        Assert.Contains("TMS_CLIENT_SECRET", errors);
    }

    [Fact]
    public async Task A_small_maxRequestBytes_splits_the_run_first_creates_then_imports_into_the_created_key()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : Created());
        var max = 16 * 1024;
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl, ("maxRequestBytes", "16KB")), WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        Assert.Empty(report.SkippedEvidence);
        var imports = Imports(server);
        Assert.InRange(imports.Count, 2, 3); // 3 × ~6 KB of evidence cannot share one 16 KB request
        Assert.Equal(1, server.Requests.Count(r => r.Path == AuthPath)); // the token is reused
        Assert.All(imports, r => Assert.True(r.Body.Length <= max, $"a request of {r.Body.Length} bytes > {max}"));
        Assert.All(imports, r => XrayCloudSchemaCheck.AssertValid(r.Body));

        var first = Json(imports[0]);
        Assert.Null(first["testExecutionKey"]);
        Assert.NotNull(first["info"]);
        foreach (var later in imports.Skip(1))
        {
            Assert.Equal("DEMO-900", (string?)Json(later)["testExecutionKey"]);
            Assert.Null(Json(later)["info"]);
        }
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], imports.SelectMany(TestKeys));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal(imports.Count + 1, report.Requests.Count);

        // Each key is journalled as soon as its import is answered, with the execution it joined.
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], _marks.Select(m => m.Key));
        Assert.All(_marks, m => Assert.Equal((KeyStates.Sent, "DEMO-900", "xray-cloud"), (m.State, m.ExecutionKey, m.Target)));
    }

    [Fact]
    public async Task Progress_marks_arrive_before_the_next_import_is_sent()
    {
        var marksAtImport = new List<int>();
        using var server = new TinyHttpServer(r =>
        {
            if (r.Path == AuthPath) return Token("tok-1");
            lock (_marks) marksAtImport.Add(_marks.Count);
            return Created();
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl, ("maxRequestBytes", "8KB")), WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        Assert.True(marksAtImport.Count >= 2, $"{marksAtImport.Count} imports");
        Assert.Equal(0, marksAtImport[0]);
        Assert.True(marksAtImport.Zip(marksAtImport.Skip(1)).All(p => p.Second > p.First), "marks: " + string.Join(",", marksAtImport));
        Assert.Equal(3, _marks.Count);
    }

    [Fact]
    public async Task A_413_splits_the_import_into_smaller_ones()
    {
        const int limit = 12_000;
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1")
            : r.Body.Length > limit ? new TinyHttpServer.Reply(413, "Request Entity Too Large", "text/plain")
            : Created());
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl), WithEvidence(6000)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        var imports = Imports(server);
        var refused = imports.Where(r => r.Body.Length > limit).ToList();
        var accepted = imports.Where(r => r.Body.Length <= limit).ToList();
        Assert.NotEmpty(refused);
        Assert.Equal(3, accepted.Count); // ~8 KB of base64 each: one key per request
        Assert.Null(Json(accepted[0])["testExecutionKey"]);
        Assert.NotNull(Json(accepted[0])["info"]);
        Assert.All(accepted.Skip(1), r => Assert.Equal("DEMO-900", (string?)Json(r)["testExecutionKey"]));
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], accepted.SelectMany(TestKeys));
        Assert.All(accepted, r => Assert.Single(Json(r)["tests"]![0]!["evidence"]!.AsArray())); // no evidence lost
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Contains(report.Warnings, w => w.Contains("413") && w.Contains("splitting"));
        Assert.Empty(report.SkippedEvidence);
    }

    [Fact]
    public async Task A_400_naming_one_key_refuses_that_key_and_resends_the_others()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1")
            : r.Body.Contains("\"DEMO-2\"") ? new TinyHttpServer.Reply(400, """{"error":"Error importing results: The Test DEMO-2 is in a non-executable status"}""")
            : Created());
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        var imports = Imports(server);
        Assert.Equal(2, imports.Count);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], TestKeys(imports[0]));
        Assert.Equal(["DEMO-1", "DEMO-3"], TestKeys(imports[1]));
        Assert.NotNull(Json(imports[1])["info"]); // the resend is the create
        Assert.Null(Json(imports[1])["testExecutionKey"]);

        var refused = report.FindKey("DEMO-2")!;
        Assert.Equal(KeyStates.Refused, refused.State);
        Assert.Contains(refused.Messages, m => m.Contains("non-executable status"));
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-1")!.State);
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-3")!.State);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.Equal((2, 1, 0), (report.Totals.Sent, report.Totals.Refused, report.Totals.NotSent));
        Assert.Contains(_marks, m => m is { Key: "DEMO-2", State: KeyStates.Refused });
    }

    [Fact]
    public async Task A_400_naming_a_key_does_not_refuse_a_key_that_is_its_suffix()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1")
            : r.Body.Contains("\"XDEMO-1\"") ? new TinyHttpServer.Reply(400, """{"error":"The Test XDEMO-1 is in a non-executable status"}""")
            : Created());
        var results = new List<TestResultRecord> { Result("Ns.C.A", keys: ["DEMO-1"], sequence: 1), Result("Ns.C.B", keys: ["XDEMO-1"], sequence: 2) };
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl), results), _output, TestContext.Current.CancellationToken);

        Assert.Equal(KeyStates.Refused, report.FindKey("XDEMO-1")!.State);
        Assert.Equal(KeyStates.Sent, report.FindKey("DEMO-1")!.State);
        Assert.Equal(["DEMO-1"], TestKeys(Imports(server)[^1]));
    }

    [Fact]
    public async Task A_400_naming_no_key_fails_the_whole_import()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1")
            : new TinyHttpServer.Reply(400, """{"error":"Error importing results: the following environments don't exist: 'dev'!"}"""));
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);
        Assert.Single(Imports(server));
        Assert.Contains(report.Errors, e => e.Contains("environments don't exist"));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task A_lost_create_is_found_through_GraphQL_and_never_sent_twice()
    {
        var graphQl = new List<string>();
        using var server = new TinyHttpServer(r =>
        {
            switch (r.Path)
            {
                case AuthPath: return Token("tok-1");
                case ImportPath: return TinyHttpServer.Reply.Drop; // read, then the answer is lost
                case GraphQlPath:
                    lock (graphQl) graphQl.Add(r.Body);
                    return new TinyHttpServer.Reply(200, """{"data":{"getTestExecutions":{"total":1,"results":[{"issueId":"10200","jira":{"key":"DEMO-900","description":"Created by TmsBridge (TmsBridge run 20260506T070809Z-ab12cd34)."}}]}}}""");
                default: return new TinyHttpServer.Reply(404, "{}");
            }
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Single(Imports(server)); // no second execution
        var query = (string?)JsonNode.Parse(Assert.Single(graphQl))!["query"];
        Assert.Contains("getTestExecutions", query);
        Assert.Contains("project = \\\"DEMO\\\"", query);
        Assert.Contains("20260506T070809Z-ab12cd34", query);
        Assert.Equal("Bearer tok-1", server.Requests.Single(r => r.Path == GraphQlPath).Authorization);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Contains(report.Warnings, w => w.Contains("was lost") && w.Contains("DEMO-900"));
    }

    [Fact]
    public async Task A_lost_create_that_is_not_found_is_sent_again()
    {
        var imports = 0;
        using var server = new TinyHttpServer(r => r.Path switch
        {
            AuthPath => Token("tok-1"),
            ImportPath => Interlocked.Increment(ref imports) == 1 ? TinyHttpServer.Reply.Drop : Created(),
            GraphQlPath => new TinyHttpServer.Reply(200, """{"data":{"getTestExecutions":{"total":0,"results":[]}}}"""),
            _ => new TinyHttpServer.Reply(404, "{}"),
        });
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl)), _output, TestContext.Current.CancellationToken);

        Assert.Equal([AuthPath, ImportPath, GraphQlPath, ImportPath], server.Requests.Select(r => r.Path));
        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.DoesNotContain(report.Warnings, w => w.Contains("was lost"));
    }

    private static void AssertMultipartCreate(TinyHttpServer.Request request)
    {
        Assert.Equal(MultipartPath, request.Path);
        Assert.Equal("Bearer tok-1", request.Authorization);
        var parts = Multipart.Parse(request.ContentType, request.Body);
        Assert.Equal(["results", "info"], parts.Select(p => p.Name));
        Assert.All(parts, p => Assert.StartsWith("application/json", p.ContentType));

        var results = JsonNode.Parse(parts[0].Body)!;
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], results["tests"]!.AsArray().Select(t => (string?)t!["testKey"]));

        var info = JsonNode.Parse(parts[1].Body)!;
        var fields = info["fields"]!;
        Assert.Equal("DEMO", (string?)fields["project"]!["key"]);
        Assert.Equal("Nightly", (string?)fields["summary"]);
        Assert.Equal("Test Execution", (string?)fields["issuetype"]!["name"]);
        Assert.Equal(3, (int)fields["customfield_10115"]!);
        Assert.Equal(["nightly"], fields["labels"]!.AsArray().Select(l => (string?)l));
        Assert.Contains("TmsBridge run 20260506T070809Z-ab12cd34", (string?)fields["description"]);
        Assert.Equal("DEMO-50", (string?)info["xrayFields"]!["testPlanKey"]);
        Assert.Equal(["linux", "chrome"], info["xrayFields"]!["environments"]!.AsArray().Select(e => (string?)e));
    }

    private static readonly (string, string)[] PlanAndEnvironments = [("summary", "Nightly"), ("testPlan", "DEMO-50"), ("environments", "linux;chrome")];

    [Fact]
    public async Task Inline_executionFields_go_through_the_multipart_import()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : r.Path == MultipartPath ? Created() : new TinyHttpServer.Reply(404, "{}"));
        var options = Cloud(server.BaseUrl, [.. PlanAndEnvironments, ("executionFields", """{"customfield_10115": 3, "labels": ["nightly"]}""")]);
        var report = await Publisher.PublishAsync(Request(options), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        AssertMultipartCreate(Assert.Single(Imports(server)));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal("https://acme.atlassian.net/browse/DEMO-900", report.Execution!.Url);
    }

    [Fact]
    public async Task ExecutionFields_from_a_file_and_only_the_create_is_multipart()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : Created());
        var file = _dir.File("fields.json", """
            // mandatory fields of our Test Execution screen
            { "customfield_10115": 3, "labels": ["nightly"], }
            """);
        var options = Cloud(server.BaseUrl, [.. PlanAndEnvironments, ("executionFields", file), ("maxRequestBytes", "16KB")]);
        var report = await Publisher.PublishAsync(Request(options, WithEvidence(4500)), _output, TestContext.Current.CancellationToken);

        Assert.Empty(report.Errors);
        var imports = Imports(server);
        Assert.True(imports.Count >= 2);
        Assert.Equal(MultipartPath, imports[0].Path);
        var parts = Multipart.Parse(imports[0].ContentType, imports[0].Body);
        Assert.Equal(3, (int)JsonNode.Parse(parts.Single(p => p.Name == "info").Body)!["fields"]!["customfield_10115"]!);
        Assert.All(imports.Skip(1), r =>
        {
            Assert.Equal(ImportPath, r.Path);
            Assert.Equal("DEMO-900", (string?)Json(r)["testExecutionKey"]);
        });
    }

    [Theory]
    [InlineData("""{"customfield_10115": }""", "is not valid JSON")]
    [InlineData("""["customfield_10115"]""", "neither a JSON object nor an existing file")]
    [InlineData("/no/such/fields.json", "neither a JSON object nor an existing file")]
    public async Task Invalid_executionFields_are_an_error_and_nothing_is_sent(string value, string expected)
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : Created());
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl, ("executionFields", value))), _output, TestContext.Current.CancellationToken);

        Assert.Empty(server.Requests);
        var error = Assert.Single(report.Errors);
        Assert.Contains("executionFields", error);
        Assert.Contains(expected, error);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task ExecutionFields_holding_a_json_array_in_a_file_are_an_error()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : Created());
        var file = _dir.File("fields.json", """["customfield_10115"]""");
        var report = await Publisher.PublishAsync(Request(Cloud(server.BaseUrl, ("executionFields", file))), _output, TestContext.Current.CancellationToken);
        Assert.Empty(server.Requests);
        Assert.Contains(report.Errors, e => e.Contains("must hold a JSON object"));
    }

    [Fact]
    public async Task ExecutionFields_are_ignored_when_reporting_into_an_existing_execution()
    {
        using var server = new TinyHttpServer(r => r.Path == AuthPath ? Token("tok-1") : Created("DEMO-9"));
        var options = Cloud(server.BaseUrl, ("executionFields", """{"customfield_10115": 3}"""), ("testExecution", "DEMO-9"));
        var report = await Publisher.PublishAsync(Request(options), _output, TestContext.Current.CancellationToken);
        Assert.Empty(report.Errors);
        var import = Assert.Single(Imports(server));
        Assert.Equal(ImportPath, import.Path);
        Assert.Equal("DEMO-9", (string?)Json(import)["testExecutionKey"]);
        Assert.True(report.Execution!.Reused);
    }
}

using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using TmsBridge.Backends.QMetry;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// targets qmetry-cloud and qmetry end to end through Publisher.PublishAsync against real listeners on
/// 127.0.0.1 playing QTM4J's automation import (<see cref="FakeQMetry"/>): the three steps per flavour,
/// where the secrets go (never to the storage host), the expired URL, FAILED, a missing url, error shapes,
/// dry run, options and validation, evidence, and the number of requests.
/// </summary>
public sealed class QMetryBackendTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private readonly List<PublishMark> _marks = [];

    public QMetryBackendTests()
    {
        // Real polls, short pauses.
        QMetryBackendBase.PollDelays = [TimeSpan.FromMilliseconds(20)];
    }

    public void Dispose() => _dir.Dispose();

    private const string ApiKey = "qmetry-automation-key-0123456789";
    private const string Password = "jira-Pa55word";
    private const string RunId = "20260506T070809Z-ab12cd34";
    private string RunFolder => _dir.Combine("TestResults/tms");
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord>? results = null) =>
        TestPublishRequests.Create(RunFolder, options, results ?? Sample(), RunId, "Tests: automated test run 2026-05-06 07:08 UTC", m => { lock (_marks) _marks.Add(m); });

    private static List<TestResultRecord> Sample()
    {
        var failed = Result("Ns.C.Fails", TestOutcome.Failed, keys: ["DEMO-TC-2"], sequence: 2);
        failed.ErrorMessage = "Expected 3 but was 4";
        failed.ErrorStackTrace = "at Ns.C.Fails() in C.cs:line 12";
        failed.DurationMs = 1234;
        var passed = Result("Ns.C.Passes", keys: ["DEMO-TC-1"], covers: ["DEMO-100"], sequence: 1);
        return [passed, failed, Result("Ns.C.Skips", TestOutcome.Skipped, keys: ["DEMO-TC-3"], sequence: 3), Result("Ns.C.Unkeyed", sequence: 4)];
    }

    private static TmsOptions Options(string target, Uri? baseUrl, (string, string)[] secrets, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", target).Add("timeout", "30");
        if (baseUrl is not null) layer.Add("baseUrl", baseUrl.ToString());
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var (name, value) in secrets) env.Add(name, value);
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static TmsOptions Cloud(FakeQMetry q, params (string Name, string Value)[] extra) => Options("qmetry-cloud", q.BaseUrl, [("apiKey", ApiKey)], extra);
    private static TmsOptions Server(FakeQMetry q, params (string Name, string Value)[] extra) => Options("qmetry", q.BaseUrl, [("apiKey", ApiKey), ("password", Password)], [("user", "admin"), .. extra]);

    private static JsonNode Json(TinyHttpServer.Request r) => JsonNode.Parse(r.Body)!;
    private string ReportText() => File.ReadAllText(Path.Combine(RunFolder, RunId + ".report.json"));

    private static string? Key(XElement testcase) =>
        testcase.Element("properties")?.Elements("property").Where(p => (string?)p.Attribute("name") == "testcasekey").Select(p => (string?)p.Attribute("value")).SingleOrDefault();

    [Fact]
    public async Task Cloud_imports_in_three_steps_with_the_apiKey_only_on_QMetry_and_the_raw_file_to_storage()
    {
        using var q = new FakeQMetry(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(q, ("environments", "Chrome"), ("version", "1.4.0"))), _output, Ct);

        Assert.Empty(report.Errors);
        // 3 requests + polls: one INPROCESS, then SUCCESS.
        Assert.Equal(["POST /rest/api/automation/importresult", "GET /rest/api/automation/importresult/track", "GET /rest/api/automation/importresult/track"],
            q.Api.Requests.Select(r => r.Method + " " + r.Path));
        Assert.All(q.Api.Requests, r => Assert.Equal(ApiKey, r.Header("apiKey")));
        Assert.All(q.Api.Requests, r => Assert.Null(r.Authorization));
        Assert.Equal("?trackingId=track-1", q.Tracks[0].Query);

        var step1 = Json(q.Imports.Single());
        Assert.StartsWith("application/json", q.Imports.Single().ContentType);
        Assert.Equal("junit", (string?)step1["format"]);
        Assert.Equal(3, (int)step1["automationHierarchy"]!);
        Assert.False((bool)step1["matchTestSteps"]!);
        Assert.False((bool)step1["isZip"]!);
        Assert.Equal("Chrome", (string?)step1["environment"]);
        Assert.Equal("1.4.0", (string?)step1["build"]);
        Assert.Null(step1["testCycleToReuse"]);
        Assert.Equal($"Tests: automated test run 2026-05-06 07:08 UTC ({RunId})", (string?)step1["fields"]!["testCycle"]!["summary"]);
        Assert.Equal("TmsBridge run " + RunId, (string?)step1["fields"]!["testCycle"]!["description"]);

        // Step 2: a PUT of the raw bytes to the storage host: no apiKey, no Authorization.
        var put = Assert.Single(q.Storage.Requests);
        Assert.Equal("PUT", put.Method);
        Assert.Equal("?X-Amz-Signature=abc", put.Query);
        Assert.Null(put.Header("apiKey"));
        Assert.Null(put.Authorization);
        Assert.DoesNotContain(ApiKey, string.Join("|", put.Headers!.Values));
        Assert.Equal("multipart/form-data", put.ContentType);
        var junit = q.LastJUnit();
        var cases = junit.Descendants("testcase").ToList();
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"], cases.Select(Key));
        Assert.Equal("DEMO-100", cases[0].Descendants("property").Single(p => (string?)p.Attribute("name") == "storykey").Attribute("value")!.Value);
        Assert.NotNull(cases[1].Element("failure"));
        Assert.NotNull(cases[2].Element("skipped"));
        Assert.DoesNotContain("Unkeyed", junit.ToString());

        Assert.Equal("DEMO-TR-7", report.Execution!.Key);
        Assert.Equal("4711", report.Execution.Id);
        Assert.False(report.Execution.Reused);
        Assert.Equal(4, report.Execution.Counts!["testCaseVersionsReused"]);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal(["Pass", "Fail", "Not Executed"], report.Keys.Select(k => k.Status));
        Assert.Equal(3, _marks.Count(m => m.State == KeyStates.Sent && m.ExecutionKey == "DEMO-TR-7"));
        Assert.Contains(_output.Lines, l => l.Contains("QMetry Cloud created DEMO-TR-7", StringComparison.Ordinal));
        Assert.Contains("testCaseVersionsReused", ReportText());
        Assert.DoesNotContain(ApiKey, ReportText());
        Assert.DoesNotContain(ApiKey, _output.All);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_sends_apiKey_and_Jira_credentials_on_every_step_and_the_file_as_a_multipart_part(bool pat)
    {
        using var q = new FakeQMetry(cloud: false);
        var options = pat ? Options("qmetry", q.BaseUrl, [("apiKey", ApiKey), ("token", "jira-pat-0123456789")]) : Server(q);
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);

        Assert.Empty(report.Errors);
        var expected = pat ? "Bearer jira-pat-0123456789" : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Password));
        Assert.Equal(4, q.Api.Requests.Count);
        Assert.All(q.Api.Requests, r => Assert.Equal(expected, r.Authorization));
        Assert.All(q.Api.Requests, r => Assert.Equal(ApiKey, r.Header("apiKey")));
        var upload = Assert.Single(q.UploadRequests);
        Assert.Equal("POST", upload.Method);
        Assert.Equal("no-check", upload.Header("X-Atlassian-Token"));
        Assert.StartsWith("multipart/form-data; boundary=", upload.ContentType);
        Assert.Contains($"Content-Disposition: form-data; name=\"file\"; filename=\"tmsbridge-{RunId}.xml\"", upload.Body);
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"], q.LastJUnit().Descendants("testcase").Select(Key));
        Assert.Equal("QMetry Server/DC", report.TargetName);
        Assert.Equal(3, report.Totals.Sent);
    }

    [Fact]
    public async Task Server_refuses_to_send_credentials_to_an_upload_URL_on_another_host()
    {
        using var other = new TinyHttpServer(_ => new TinyHttpServer.Reply(204, ""));
        using var q = new FakeQMetry(cloud: false) { UploadHostOverride = other.BaseUrl };
        var report = await Publisher.PublishAsync(Request(Server(q)), _output, Ct);

        Assert.Empty(other.Requests);
        Assert.Contains(report.Errors, e => e.Contains("not on the Jira host", StringComparison.Ordinal));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task An_expired_upload_URL_restarts_from_step_1_once()
    {
        using var q = new FakeQMetry(cloud: true) { ExpireUploads = 1 };
        var report = await Publisher.PublishAsync(Request(Cloud(q)), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(2, q.Imports.Count);
        Assert.Equal(2, q.Storage.Requests.Count);
        Assert.Contains(report.Warnings, w => w.Contains("expired (HTTP 403)", StringComparison.Ordinal));
        Assert.Equal(3, report.Totals.Sent);
    }

    [Fact]
    public async Task An_upload_URL_expired_twice_fails_clearly_and_nothing_is_sent()
    {
        using var q = new FakeQMetry(cloud: true) { ExpireUploads = 5 };
        var report = await Publisher.PublishAsync(Request(Cloud(q)), _output, Ct);

        Assert.Equal(2, q.Imports.Count);
        var error = Assert.Single(report.Errors);
        Assert.Contains("expired twice (HTTP 403)", error);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.True(report.PublishFailed);
    }

    [Theory]
    [InlineData("INPROCESS")]
    [InlineData("In Progress")]
    public async Task FAILED_tracking_refuses_every_key_with_the_detailed_message(string running)
    {
        using var q = new FakeQMetry(cloud: true) { FailImport = "Invalid XML: unexpected end of file", RunningWord = running, InProgressPolls = 2 };
        var report = await Publisher.PublishAsync(Request(Cloud(q)), _output, Ct);

        Assert.Equal(3, q.Tracks.Count);
        Assert.Contains(report.Errors, e => e.Contains("FAILED: Invalid XML: unexpected end of file", StringComparison.Ordinal));
        Assert.All(report.Keys, k =>
        {
            Assert.Equal(KeyStates.Refused, k.State);
            Assert.Contains("import FAILED: Invalid XML: unexpected end of file", k.Messages);
        });
    }

    [Fact]
    public async Task A_step_1_answer_without_url_is_a_failure_whose_body_is_the_error()
    {
        using var q = new FakeQMetry(cloud: true) { NoUrl = true };
        var report = await Publisher.PublishAsync(Request(Cloud(q)), _output, Ct);

        Assert.Empty(q.Storage.Requests);
        Assert.Contains(report.Errors, e => e.Contains("without an upload url", StringComparison.Ordinal) && e.Contains("Project not found for the given apiKey", StringComparison.Ordinal));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task A_400_with_QMetry_error_shape_names_the_errors()
    {
        using var q = new FakeQMetry(cloud: true)
        {
            ImportReply = new(400, """{"status":400,"errorMessage":"The supplied fields are invalid","errors":["Provided Label Name(s) xyz not found"],"timestamp":"29/May/2025 12:44"}"""),
        };
        var report = await Publisher.PublishAsync(Request(Cloud(q, ("qmetryFields", """{"testCycle":{"labels":["xyz"]}}"""))), _output, Ct);

        Assert.Equal("xyz", (string?)Json(q.Imports.Single())["fields"]!["testCycle"]!["labels"]![0]);
        Assert.Contains(report.Errors, e => e.Contains("step 1 (importresult) refused: HTTP 400", StringComparison.Ordinal)
            && e.Contains("The supplied fields are invalid; Provided Label Name(s) xyz not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_401_names_the_apiKey()
    {
        using var q = new FakeQMetry(cloud: true) { ImportReply = new(401, """{"errorMessage":"Invalid apiKey"}""") };
        var report = await Publisher.PublishAsync(Request(Cloud(q)), _output, Ct);
        Assert.Contains(report.Errors, e => e.Contains("HTTP 401", StringComparison.Ordinal) && e.Contains("TMS_API_KEY", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reusing_a_cycle_sends_testCycleToReuse_and_no_cycle_fields_and_options_reach_the_body()
    {
        using var q = new FakeQMetry(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(q, ("testExecution", "DEMO-TR-3"), ("automationHierarchy", "2"), ("matchTestSteps", "true"),
            ("keyPlacement", "attribute"), ("qmetryFields", """{"testCycle":{"labels":["x"]},"testCase":{"priority":"High"},"testCaseExecution":{"comment":"nightly"}}"""))), _output, Ct);

        var step1 = Json(q.Imports.Single());
        Assert.Equal("DEMO-TR-3", (string?)step1["testCycleToReuse"]);
        Assert.Equal(2, (int)step1["automationHierarchy"]!);
        Assert.True((bool)step1["matchTestSteps"]!);
        Assert.Null(step1["fields"]!["testCycle"]);
        Assert.Equal("High", (string?)step1["fields"]!["testCase"]!["priority"]);
        Assert.Equal("nightly", (string?)step1["fields"]!["testCaseExecution"]!["comment"]);
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3"], q.LastJUnit().Descendants("testcase").Select(c => (string?)c.Attribute("testcasekey")));
        Assert.True(report.Execution!.Reused);
    }

    [Fact]
    public async Task Unkeyed_tests_go_into_the_file_only_with_provisionUnmapped()
    {
        using var q = new FakeQMetry(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(q, ("provisionUnmapped", "true"))), _output, Ct);

        var unkeyed = q.LastJUnit().Descendants("testcase").Single(c => (string?)c.Attribute("name") == "Unkeyed");
        Assert.Null(Key(unkeyed));
        Assert.Equal(KeyStates.Sent, report.Unmapped.Single().State);
    }

    [Fact]
    public async Task Evidence_is_reported_as_not_carried_by_a_JUnit_import()
    {
        using var q = new FakeQMetry(cloud: true);
        var results = Sample();
        var file = _dir.File("TestResults/tms/ev/screen.png", [1, 2, 3]);
        results[0].Attachments.Add(new EvidenceFile { Path = file, FileName = "screen.png", Size = 3 });
        var report = await Publisher.PublishAsync(Request(Cloud(q), results), _output, Ct);

        Assert.Contains(report.Warnings, w => w.Contains("a JUnit import carries no attachments", StringComparison.Ordinal) && w.Contains("TMS_QMETRY_OPEN_API_KEY", StringComparison.Ordinal));
        var skipped = Assert.Single(report.SkippedEvidence);
        Assert.Equal(("DEMO-TC-1", "screen.png"), (skipped.Key, skipped.File));
        Assert.Contains("evidence 'screen.png' not sent: a JUnit import carries no attachments", report.FindKey("DEMO-TC-1")!.Messages);
        Assert.Equal(4, q.Api.Requests.Count + q.Storage.Requests.Count); // 3 requests + the INPROCESS poll: no Open API call without the key
    }

    [Fact]
    public async Task With_an_Open_API_key_Cloud_attaches_evidence_to_the_executions_without_sending_a_key_to_storage()
    {
        using var q = new FakeQMetry(cloud: true);
        var results = Sample();
        var png = _dir.File("TestResults/tms/ev/screen.png", [1, 2, 3]);
        var log = _dir.File("TestResults/tms/ev/fail.log", [4, 5]);
        results[0].Attachments.Add(new EvidenceFile { Path = png, FileName = "screen.png", ContentType = "image/png", Size = 3 });
        results[1].Attachments.Add(new EvidenceFile { Path = log, FileName = "fail.log", ContentType = "text/plain", Size = 2 });
        var options = Options("qmetry-cloud", q.BaseUrl, [("apiKey", ApiKey), ("qmetryOpenApiKey", "open-api-key-0123456789")]);
        var report = await Publisher.PublishAsync(Request(options, results), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(report.SkippedEvidence);
        // 3 + polls, then 1 listing + 2 per file.
        Assert.Equal(["POST /rest/api/latest/testcycles/4711/testcases/search", "GET /rest/api/latest/testcycles/4711/testcase-executions/attachments/url", "GET /rest/api/latest/testcycles/4711/testcase-executions/attachments/url"],
            q.OpenApi.Select(r => r.Method + " " + r.Path));
        Assert.All(q.OpenApi, r => Assert.Equal("open-api-key-0123456789", r.Header("apiKey")));
        Assert.Equal("?fileName=screen.png&projectId=10000&testcaseExecutionId=600001", q.OpenApi[1].Query);
        Assert.Equal("?fileName=fail.log&projectId=10000&testcaseExecutionId=600002", q.OpenApi[2].Query);
        Assert.Equal(2, q.AttachmentUploads.Count);
        Assert.All(q.AttachmentUploads, r =>
        {
            Assert.Null(r.Header("apiKey"));
            Assert.Null(r.Authorization);
            Assert.StartsWith("multipart/form-data; boundary=", r.ContentType);
        });
        var first = q.AttachmentUploads[0].Body;
        Assert.True(first.IndexOf("name=\"key\"", StringComparison.Ordinal) < first.IndexOf("name=\"file\"; filename=\"screen.png\"", StringComparison.Ordinal));
        Assert.Contains("evidence 'screen.png' attached", report.FindKey("DEMO-TC-1")!.Messages);
        Assert.DoesNotContain("open-api-key-0123456789", ReportText());
    }

    [Fact]
    public async Task A_dry_run_writes_the_step_1_body_and_the_JUnit_file_and_sends_nothing()
    {
        using var q = new FakeQMetry(cloud: true);
        var options = Options("qmetry-cloud", q.BaseUrl, [], ("dryRun", "true"));
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);

        Assert.Empty(q.All);
        Assert.Empty(report.Errors);
        var folder = Path.Combine(RunFolder, RunId + ".dryrun");
        Assert.Equal("junit", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "qmetry-importresult.json")))!["format"]);
        Assert.Equal(3, XDocument.Load(Path.Combine(folder, "qmetry-results.xml")).Descendants("testcase").Count());
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
    }

    [Fact]
    public async Task The_publish_deadline_during_polling_leaves_every_key_not_sent_naming_the_trackingId()
    {
        using var q = new FakeQMetry(cloud: true) { NeverFinish = true };
        var request = Request(Cloud(q));
        request.Deadline = TimeSpan.FromSeconds(1);
        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.Contains(report.Errors, e => e.Contains("trackingId track-1", StringComparison.Ordinal) && e.Contains("publishTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Hosts_paths_and_registration()
    {
        Assert.Equal("https://qtmcloud.qmetry.com/rest/api/automation/importresult", new QMetryCloudBackend().ImportUri(new TmsOptions()).ToString());
        Assert.Equal("https://syd-qtmcloud.qmetry.com/rest/api/automation/importresult", new QMetryCloudBackend().ImportUri(new TmsOptions { Region = "au" }).ToString());
        var server = new QMetryServerBackend();
        var jira = new TmsOptions { BaseUrl = new Uri("https://jira.example.com/ctx/") };
        Assert.Equal("https://jira.example.com/ctx/rest/qtm4j/automation/latest/importresult", server.ImportUri(jira).ToString());
        Assert.Equal("https://jira.example.com/ctx/rest/qtm4j/automation/latest/importresult/track?trackingId=a%20b", server.TrackUri(jira, "a b").AbsoluteUri);
        Assert.IsType<QMetryServerBackend>(BackendRegistry.Create("qmetry"));
        Assert.IsType<QMetryCloudBackend>(BackendRegistry.Create("qmetry-cloud"));
        Assert.Null(server.DefaultRateLimit);
    }

    [Fact]
    public async Task Missing_or_bad_options_are_named_before_anything_is_sent()
    {
        var cloud = await Publisher.PublishAsync(Request(new TmsOptions { Target = "qmetry-cloud" }), _output, Ct);
        Assert.Contains(cloud.Errors, e => e.Contains("TMS_API_KEY", StringComparison.Ordinal) && e.Contains("Automation API", StringComparison.Ordinal));

        var server = await Publisher.PublishAsync(Request(new TmsOptions { Target = "qmetry" }), _output, Ct);
        Assert.Contains(server.Errors, e => e.Contains("needs baseUrl", StringComparison.Ordinal));
        Assert.Contains(server.Errors, e => e.Contains("needs Jira credentials", StringComparison.Ordinal));

        var bad = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "qmetry-cloud").Add("region", "eu")
            .Add("automationHierarchy", "4").Add("keyPlacement", "suite").Add("qmetryFields", """{"testRun":{}}""").Add("environments", "a;b")]);
        var problems = new QMetryCloudBackend().Validate(bad).ToList();
        Assert.Contains(problems, p => p.Contains("'region' is 'eu'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("option 'automationHierarchy' has the value '4'; expected 1, 2 or 3", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("option 'keyPlacement' has the value 'suite'; expected property or attribute", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("qmetryFields has 'testRun'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("one environment per import", StringComparison.Ordinal));
    }

    [Fact]
    public void The_apiKeys_are_secrets_read_only_from_the_environment()
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("--logger parameters").Add("apiKey", "leak-me").Add("qmetryOpenApiKey", "leak-too")]);
        Assert.Equal(2, options.Problems.Count(p => p.Message.Contains("is a secret", StringComparison.Ordinal)));
        Assert.Null(options.For<QMetryOptions>().ApiKey);

        var env = ConfigurationResolver.Resolve([ConfigurationLayer.FromEnvironment(new Dictionary<string, string> { ["TMS_API_KEY"] = "k1-secret-value", ["TMS_QMETRY_OPEN_API_KEY"] = "k2-secret-value" })]);
        Assert.Equal("k1-secret-value", env.For<QMetryOptions>().ApiKey);
        Assert.Equal(["k1-secret-value", "k2-secret-value"], env.SecretValues());
        Assert.DoesNotContain("k1-secret-value", string.Join("|", env.ToPublicDictionary().Values));
    }

    [Fact]
    public async Task Validate_on_Cloud_with_an_Open_API_key_searches_each_key_and_names_the_missing_one()
    {
        using var q = new FakeQMetry(cloud: true);
        var options = Options("qmetry-cloud", q.BaseUrl, [("apiKey", ApiKey), ("qmetryOpenApiKey", "open-api-key-0123456789")]);
        var report = await TargetChecker.ValidateAsync(options, new Dictionary<string, string> { ["DEMO-TC-1"] = "test Ns.A", ["DEMO-TC-9999"] = "test Ns.B" }, TestContext.Current.CancellationToken);

        Assert.Contains(report.Checks, c => c.Check == "project" && c.State == TargetCheck.Ok && c.Message.Contains("(id 10000)", StringComparison.Ordinal));
        var line = Assert.Single(report.Checks, c => c.Check == "keys");
        Assert.Equal(TargetCheck.Failed, line.State);
        Assert.StartsWith("key DEMO-TC-9999 (test Ns.B) does not exist in QMetry project DEMO", line.Message);
        var searches = q.OpenApi.Where(r => r.Path == "/rest/api/latest/testcases/search").ToList();
        Assert.Equal(2, searches.Count);
        Assert.All(searches, r => Assert.Equal(10000, (long?)JsonNode.Parse(r.Body)!["filter"]!["projectId"]));
        Assert.All(q.OpenApi, r => Assert.Equal("open-api-key-0123456789", r.Header("apiKey")));
        Assert.All(report.Requests, r => Assert.True(r.Method == "GET" || r.Url.Contains("/search", StringComparison.Ordinal), r.Method + " " + r.Url));

        // Without the Open API key nothing can read test cases: the line says which key to set.
        var without = await TargetChecker.ValidateAsync(Cloud(q), new Dictionary<string, string> { ["DEMO-TC-9999"] = "test Ns.B" }, TestContext.Current.CancellationToken);
        Assert.Contains(without.Checks, c => c.Check == "keys" && c.State == TargetCheck.Skipped && c.Message.Contains("TMS_QMETRY_OPEN_API_KEY", StringComparison.Ordinal));
        Assert.True(without.Passed);
    }
}

/// <summary>The step-1 body as QMetry's docs list its fields (no official schema exists: a golden file pins the shape).</summary>
public sealed class QMetryPayloadGoldenTests
{
    [Fact]
    public void The_importresult_body_for_a_new_cycle_with_fields()
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test")
            .Add("qmetryFields", """{"testCycle":{"labels":["nightly"],"priority":"High","folderId":12},"testCase":{"components":["api"]},"testCaseExecution":{"comment":"CI"}}""")]);
        var q = QMetrySettings.Read(options, "qmetry-cloud");
        Assert.Empty(q.Problems);
        var body = QMetryPayload.ImportBody(q, null, "Chrome", "1.4.0", isZip: false, "Tests: automated test run (run-1)", "TmsBridge run run-1");
        Golden.AssertMatches("qmetry-importresult-new-cycle", body.ToJsonString());
    }

    [Fact]
    public void The_importresult_body_reusing_a_cycle()
    {
        var q = QMetrySettings.Read(new TmsOptions(), "qmetry");
        var body = QMetryPayload.ImportBody(q, "DEMO-TR-12", null, null, isZip: true, "ignored", "ignored");
        Golden.AssertMatches("qmetry-importresult-reuse", body.ToJsonString());
    }
}

public sealed class QMetryUploadTests
{
    [Fact]
    public void A_zipped_upload_holds_the_one_xml_file_under_its_name()
    {
        var xml = System.Text.Encoding.UTF8.GetBytes("<testsuites/>");
        var upload = QMetryUpload.Zip("tmsbridge-run.xml", xml);
        Assert.True(upload.Zipped);
        Assert.Equal("tmsbridge-run.zip", upload.FileName);
        Assert.Equal("application/zip", upload.ContentType);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(upload.Bytes));
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("tmsbridge-run.xml", entry.FullName);
        using var s = entry.Open();
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        Assert.Equal(xml, copy.ToArray());
    }
}

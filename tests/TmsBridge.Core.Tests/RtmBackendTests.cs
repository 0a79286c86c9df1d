using System.Text.Json.Nodes;
using TmsBridge.Backends.Rtm;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// targets rtm and rtm-cloud end to end through Publisher.PublishAsync against a real listener on
/// 127.0.0.1 playing RTM (<see cref="FakeRtm"/>): the Test Execution from a plan (Pending, then done),
/// one TCE per key with result, comment, defects, evidence and requirement links, a key outside the
/// plan, a refused status, testExecution, V1, the lost create, parallelism and 429s.
/// </summary>
public sealed class RtmBackendTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    private const string Token = "rtm-token-0123456789abcdef";
    private const string Password = "jira-Pa55word";
    private const string RunId = "20260506T070809Z-ab12cd34";
    private string RunFolder => _dir.Combine("TestResults/tms");
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord>? results = null) =>
        TestPublishRequests.Create(RunFolder, options, results ?? Sample(), RunId, "Tests: automated test run");

    private List<TestResultRecord> Sample()
    {
        var passed = Result("Ns.Login.Valid", keys: ["DEMO-1"], covers: ["DEMO-100", "DEMO-101"], sequence: 1);
        passed.DurationMs = 1600;
        var path = _dir.File("ev/1/screen.png", "png bytes");
        passed.Attachments = [new EvidenceFile { Path = path, FileName = "screen.png", ContentType = "image/png", Size = new FileInfo(path).Length }];
        var failed = Result("Ns.Checkout.Total", TestOutcome.Failed, keys: ["DEMO-3"], defects: ["DEMO-201"], sequence: 2);
        failed.ErrorMessage = "expected total 107.00";
        failed.ErrorStackTrace = "at Ns.Checkout.Total() in C.cs:line 12";
        var rows = new[] { "bob", "eve" }.Select((u, i) => Result($"Ns.Login.Locked(\"{u}\")", keys: ["DEMO-2"], sequence: 3 + i).WithParameters(("user", u))).ToList();
        return [passed, failed, .. rows, Result("Ns.Gift", TestOutcome.Skipped, keys: ["DEMO-4"], sequence: 5)];
    }

    private static TmsOptions Options(string target, Uri baseUrl, (string, string)[] secrets, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", target).Add("baseUrl", baseUrl.ToString()).Add("timeout", "30").Add("project", "DEMO");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var (name, value) in secrets) env.Add(name, value);
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static TmsOptions Server(FakeRtm rtm, params (string Name, string Value)[] extra) => Options("rtm", rtm.BaseUrl, [("password", Password)], [("user", "admin"), .. extra]);
    private static TmsOptions Cloud(FakeRtm rtm, params (string Name, string Value)[] extra) => Options("rtm-cloud", rtm.BaseUrl, [("token", Token)], extra);

    [Fact]
    public async Task Server_creates_the_execution_from_the_plan_waits_while_pending_and_writes_every_tce()
    {
        using var rtm = new FakeRtm(cloud: false) { PendingReads = 2 };
        var report = await Publisher.PublishAsync(Request(Server(rtm, ("testPlan", "DEMO-300"), ("environments", "linux;chrome"), ("version", "v1.0"), ("parallelism", "1"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.False(report.Execution.Reused);
        var calls = rtm.Calls;
        Assert.Equal(["POST test-execution/execute/DEMO-300", "GET test-execution/status/DEMO-900", "GET test-execution/status/DEMO-900", "GET test-execution/status/DEMO-900", "GET v2/test-execution/DEMO-900"], calls.Take(5));
        var create = JsonNode.Parse(rtm.Requests[0].Body)!;
        Assert.Equal(["DEMO-1", "DEMO-3", "DEMO-2", "DEMO-4"], create["testCaseIssueKeys"]!.AsArray().Select(k => (string?)k));
        Assert.Equal("linux, chrome", (string?)create["environment"]);
        Assert.Equal(["v1.0"], create["versions"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("2026-05-06", (string?)create["startDate"]);
        Assert.Contains("TmsBridge run " + RunId, (string?)create["description"]);
        Assert.All(rtm.Requests, r => Assert.StartsWith("Basic ", r.Authorization));

        Assert.Equal(new Dictionary<string, string> { ["DEMO-900-DEMO-1"] = "Pass", ["DEMO-900-DEMO-3"] = "Fail", ["DEMO-900-DEMO-2"] = "Pass", ["DEMO-900-DEMO-4"] = "To do" },
            rtm.Results.OrderBy(p => p.Key == "DEMO-900-DEMO-1" ? 0 : p.Key == "DEMO-900-DEMO-3" ? 1 : p.Key == "DEMO-900-DEMO-2" ? 2 : 3).ToDictionary());
        var first = JsonNode.Parse(rtm.Requests.First(r => r.Path.EndsWith("v2/test-case-execution/DEMO-900-DEMO-1", StringComparison.Ordinal)).Body)!;
        Assert.Equal(2, (long)first["actualTime"]!);
        Assert.Equal("linux, chrome", (string?)first["environment"]);

        // Comments only where there is something to say: the failure, and the data rows.
        Assert.Equal(["DEMO-900-DEMO-3", "DEMO-900-DEMO-2"], rtm.Comments.Select(c => c.Tce));
        Assert.Equal("expected total 107.00\nat Ns.Checkout.Total() in C.cs:line 12", rtm.Comments[0].Text);
        Assert.Equal("Ns.Login.Locked(\"bob\"): Passed (user=bob)\nNs.Login.Locked(\"eve\"): Passed (user=eve)", rtm.Comments[1].Text);
        Assert.Equal([("DEMO-900-DEMO-3", "DEMO-201")], rtm.Defects);
        var attachment = Assert.Single(rtm.Attachments);
        Assert.Equal("DEMO-900-DEMO-1", attachment.Tce);
        Assert.Contains("Content-Disposition: form-data; name=\"file\"; filename=\"screen.png\"", attachment.Body);
        Assert.Equal("no-check", rtm.Requests.Single(r => r.Path.EndsWith("/attachment", StringComparison.Ordinal)).Header("X-Atlassian-Token"));
        var cover = Assert.Single(rtm.Covers);
        Assert.Equal("DEMO-1", cover.TestCase);
        Assert.Equal("{\"coveredRequirements\":{\"add\":[{\"testKey\":\"DEMO-100\"},{\"testKey\":\"DEMO-101\"}]}}", cover.Body);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        // N results + comments + defects + evidence + links + a few: 4 + 2 + 1 + 1 + 1 + 5.
        Assert.Equal(14, rtm.Requests.Count);
    }

    [Fact]
    public async Task Cloud_uses_the_v2_create_Bearer_and_no_Jira_xsrf_header()
    {
        using var rtm = new FakeRtm(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal("POST v2/test-execution/execute/DEMO-300", rtm.Calls[0]);
        Assert.All(rtm.Requests, r => Assert.Equal("Bearer " + Token, r.Authorization));
        Assert.Null(rtm.Requests.Single(r => r.Path.EndsWith("/attachment", StringComparison.Ordinal)).Header("X-Atlassian-Token"));
        Assert.Equal(4, rtm.Results.Count);
        Assert.DoesNotContain(Token, File.ReadAllText(Path.Combine(RunFolder, RunId + ".report.json")));
    }

    [Fact]
    public async Task A_key_outside_the_plan_is_a_named_partial_failure_and_the_others_land()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.PlanCases.Remove("DEMO-3");
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        var refused = report.Keys.Single(k => k.Key == "DEMO-3");
        Assert.Equal(KeyStates.Refused, refused.State);
        Assert.Contains("DEMO-900-DEMO-3", refused.Messages.Single());
        Assert.Contains("not in its test plan", refused.Messages.Single());
        Assert.All(report.Keys.Where(k => k.Key != "DEMO-3"), k => Assert.Equal(KeyStates.Sent, k.State));
        // Known from the TE read: no request is spent on the missing TCE, nor its comment or defect.
        Assert.DoesNotContain(rtm.Calls, c => c.Contains("DEMO-900-DEMO-3", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("DEMO-3", StringComparison.Ordinal) && w.Contains("test plan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_status_the_project_lacks_is_refused_naming_the_key_and_statusMap()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.Statuses.Remove("Fail");
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        var refused = report.Keys.Single(k => k.Key == "DEMO-3");
        Assert.Equal(KeyStates.Refused, refused.State);
        Assert.Contains("'Fail' of DEMO-3", refused.Messages.Single());
        Assert.Contains("Status 'Fail' does not exist", refused.Messages.Single());
        Assert.Contains("statusMap", refused.Messages.Single());
        Assert.DoesNotContain(rtm.Comments, c => c.Tce == "DEMO-900-DEMO-3");
        Assert.Equal(KeyStates.Sent, report.Keys.Single(k => k.Key == "DEMO-1").State);
    }

    [Fact]
    public async Task TestExecution_is_read_for_its_tces_and_nothing_is_created()
    {
        using var rtm = new FakeRtm(cloud: false);
        rtm.Executions["DEMO-950"] = ["DEMO-950-DEMO-1", "DEMO-950-DEMO-2", "DEMO-950-DEMO-3", "DEMO-950-DEMO-4"];
        var report = await Publisher.PublishAsync(Request(Server(rtm, ("testExecution", "DEMO-950"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.True(report.Execution!.Reused);
        Assert.Equal("GET v2/test-execution/DEMO-950", rtm.Calls[0]);
        Assert.DoesNotContain(rtm.Calls, c => c.Contains("execute", StringComparison.Ordinal));
        Assert.Equal(4, rtm.Results.Count);
    }

    [Fact]
    public async Task An_unknown_testExecution_stops_with_a_message_naming_it()
    {
        using var rtm = new FakeRtm(cloud: false);
        var report = await Publisher.PublishAsync(Request(Server(rtm, ("testExecution", "DEMO-999"))), _output, Ct);

        Assert.Contains(report.Errors, e => e.Contains("DEMO-999 (testExecution)", StringComparison.Ordinal) && e.Contains("does not exist", StringComparison.Ordinal));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task V1_sends_results_and_defects_to_the_v1_paths()
    {
        using var rtm = new FakeRtm(cloud: false);
        var report = await Publisher.PublishAsync(Request(Server(rtm, ("testPlan", "DEMO-300"), ("rtmApiVersion", "v1"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Contains("GET test-execution/DEMO-900", rtm.Calls);
        Assert.Contains("PUT test-case-execution/DEMO-900-DEMO-1", rtm.Calls);
        Assert.Contains("PUT test-case-execution/DEMO-900-DEMO-3/defect", rtm.Calls);
        Assert.Equal([("DEMO-900-DEMO-3", "DEMO-201")], rtm.Defects);
        Assert.DoesNotContain(rtm.Calls, c => c.Contains("v2/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lost_create_answer_on_Server_is_found_by_the_run_marker_never_created_twice()
    {
        using var rtm = new FakeRtm(cloud: false) { LoseCreateAnswers = 1 };
        var report = await Publisher.PublishAsync(Request(Server(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Single(rtm.Executions);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.Single(rtm.Calls, c => c.StartsWith("POST test-execution/execute", StringComparison.Ordinal));
        Assert.Contains(rtm.Calls, c => c.StartsWith("GET /rest/api/2/search", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("lost", StringComparison.Ordinal));
        Assert.Equal(4, rtm.Results.Count);
    }

    [Fact]
    public async Task A_lost_create_answer_on_Cloud_is_found_through_the_test_cases_tces_by_the_run_marker()
    {
        using var rtm = new FakeRtm(cloud: true) { LoseCreateAnswers = 1 };
        // An earlier run's TE holding DEMO-1, newer by number: read first, and passed over for its marker.
        rtm.Executions["DEMO-950"] = ["DEMO-950-DEMO-1"];
        rtm.ExecutionDescriptions["DEMO-950"] = "TmsBridge run 20260101T000000Z-00000000";
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.Single(rtm.Calls, c => c.StartsWith("POST v2/test-execution/execute", StringComparison.Ordinal));
        var lookup = rtm.Calls.SkipWhile(c => !c.StartsWith("POST", StringComparison.Ordinal)).Skip(1).Take(3).ToList();
        Assert.Equal(["GET test-case-execution/test-case/DEMO-1", "GET v2/test-execution/DEMO-950", "GET v2/test-execution/DEMO-900"], lookup);
        Assert.DoesNotContain(rtm.Calls, c => c.StartsWith("GET /rest/api", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("lost", StringComparison.Ordinal) && w.Contains("DEMO-900", StringComparison.Ordinal));
        Assert.Equal(4, rtm.Results.Count);
        Assert.All(rtm.Results.Keys, k => Assert.StartsWith("DEMO-900-", k));
    }

    [Fact]
    public async Task A_lost_create_on_Cloud_is_found_when_RTM_answers_the_description_as_ADF()
    {
        using var rtm = new FakeRtm(cloud: true) { LoseCreateAnswers = 1, AdfDescriptions = true };
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-900", report.Execution!.Key);
        Assert.Single(rtm.Calls, c => c.StartsWith("POST v2/test-execution/execute", StringComparison.Ordinal));
        Assert.Contains("GET v2/test-execution/DEMO-900", rtm.Calls);
        Assert.Single(rtm.Executions);
        Assert.All(rtm.Results.Keys, k => Assert.StartsWith("DEMO-900-", k));
    }

    [Fact]
    public async Task A_lost_create_on_Cloud_that_made_nothing_is_sent_again_once()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.DropBeforeCreate = 1;
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"))), _output, Ct);

        Assert.Empty(report.Errors);
        // Nothing carries the marker: the create is repeated, and one TE exists.
        Assert.Equal(2, rtm.Calls.Count(c => c.StartsWith("POST v2/test-execution/execute", StringComparison.Ordinal)));
        Assert.Contains("GET test-case-execution/test-case/DEMO-1", rtm.Calls);
        Assert.Single(rtm.Executions);
        Assert.Equal(4, rtm.Results.Count);
    }

    [Fact]
    public async Task Parallelism_bounds_the_results_in_flight_and_429s_lose_nothing_and_double_nothing()
    {
        using var rtm = new FakeRtm(cloud: true) { ResultDelay = TimeSpan.FromMilliseconds(150), TooManyRequests = 3 };
        var results = Enumerable.Range(1, 12).Select(i => Result($"Ns.T{i}", keys: [$"DEMO-{i}"], sequence: i)).ToList();
        foreach (var i in Enumerable.Range(1, 12)) rtm.PlanCases.Add($"DEMO-{i}");
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"), ("parallelism", "4")), results), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(4, rtm.MaxInFlight);
        Assert.Equal(12, rtm.Results.Count);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal(12 + 3, rtm.Calls.Count(c => c.StartsWith("PUT v2/test-case-execution/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Bad_credentials_stop_the_rest_with_one_error()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.Executions["DEMO-950"] = ["DEMO-950-DEMO-1"];
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testExecution", "DEMO-950"))), _output, Ct);
        rtm.FailAllWith = null;

        Assert.Equal(KeyStates.Sent, report.Keys.Single(k => k.Key == "DEMO-1").State);
        using var denied = new FakeRtm(cloud: true) { FailAllWith = 401 };
        var report2 = await Publisher.PublishAsync(Request(Cloud(denied, ("testExecution", "DEMO-950"))), _output, Ct);
        var error = Assert.Single(report2.Errors);
        Assert.Contains("401", error);
        Assert.Contains("TMS_TOKEN", error);
        Assert.All(report2.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public void Validation_names_the_missing_plan_and_the_region_without_an_RTM_host()
    {
        var noPlan = new RtmCloudBackend().Validate(new TmsOptions { Target = "rtm-cloud", Token = "t" }).ToList();
        Assert.Contains(noPlan, p => p.Contains("testPlan", StringComparison.Ordinal) && p.Contains("TMS_TEST_PLAN", StringComparison.Ordinal));
        Assert.Empty(new RtmCloudBackend().Validate(new TmsOptions { Target = "rtm-cloud", Token = "t", TestExecution = "DEMO-9" }));
        Assert.Contains(new RtmCloudBackend().Validate(new TmsOptions { Target = "rtm-cloud", Token = "t", TestPlan = "DEMO-300", Region = "au" }), p => p.Contains("region 'au'", StringComparison.Ordinal));
        Assert.Contains(new RtmServerBackend().Validate(new TmsOptions { Target = "rtm", TestPlan = "DEMO-300" }), p => p.Contains("baseUrl", StringComparison.Ordinal));
        Assert.Equal(new Uri("https://rtm-eu-api.hexygen.com/api/"), new RtmCloudBackend().ApiRoot(new TmsOptions { Region = "eu" }));
        Assert.Equal(new Uri("https://rtm-api.hexygen.com/api/"), new RtmCloudBackend().ApiRoot(new TmsOptions()));
        Assert.Equal(new Uri("https://jira.example.com/ctx/rest/rtm/1.0/api/"), new RtmServerBackend().ApiRoot(new TmsOptions { BaseUrl = new Uri("https://jira.example.com/ctx/") }));
    }

    [Fact]
    public async Task DryRun_writes_the_plan_and_sends_nothing()
    {
        using var rtm = new FakeRtm(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"), ("dryRun", "true"))), _output, Ct);

        Assert.Empty(rtm.Requests);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
        var plan = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(RunFolder, "rtm-plan.json", SearchOption.AllDirectories).Single()))!;
        Assert.Equal(["DEMO-1", "DEMO-3", "DEMO-2", "DEMO-4"], plan["testExecution"]!["body"]!["testCaseIssueKeys"]!.AsArray().Select(k => (string?)k));
        Assert.Equal("Fail", (string?)plan["testCaseExecutions"]![1]!["result"]!["result"]!["name"]);
    }

    [Fact]
    public async Task Import_mode_sends_one_zipped_JUnit_file_with_TC_KEY_and_polls_the_task()
    {
        using var rtm = new FakeRtm(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("rtmMode", "import"), ("summary", "Nightly"), ("description", "from CI"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(["POST v2/automation/import-test-results", "GET v2/automation/import-status/77", "GET v2/automation/import-status/77"], rtm.Calls);
        Assert.Equal("DEMO-990", report.Execution!.Key);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        var import = Assert.Single(rtm.Imports);
        Assert.Equal("Bearer " + Token, import.Authorization);
        Assert.Null(import.Header("X-Atlassian-Token"));
        // Latin-1 keeps every byte of the zip part as one char.
        var parts = Multipart.Parse(import.ContentType, System.Text.Encoding.Latin1.GetString(import.RawBody!));
        string Text(string name) => parts.Single(p => p.Name == name).Body;
        Assert.Equal("DEMO", Text("projectKey"));
        Assert.Equal("JUNIT", Text("reportType"));
        Assert.Equal("Nightly", Text("name"));
        var fields = JsonNode.Parse(Text("testExecutionFields"))!;
        Assert.Equal("doc", (string?)fields["fields"]!["description"]!["type"]);
        Assert.Contains("TmsBridge run " + RunId, fields.ToJsonString());
        var file = parts.Single(p => p.Name == "file");
        Assert.Equal("tmsbridge-junit.zip", file.FileName);
        Assert.Equal("application/zip", file.ContentType);
        var bytes = System.Text.Encoding.Latin1.GetBytes(file.Body);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes));
        using var reader = new StreamReader(Assert.Single(zip.Entries).Open());
        var xml = System.Xml.Linq.XDocument.Parse(reader.ReadToEnd());
        var cases = xml.Descendants("testcase").ToList();
        Assert.Equal(4, cases.Count);
        Assert.StartsWith("TC_KEY=DEMO-3", cases.Single(c => c.Element("failure") is not null).Element("system-out")!.Value);
        // Evidence cannot travel in a JUnit import: skipped, and said once.
        Assert.Equal("screen.png", Assert.Single(report.SkippedEvidence).File);
        Assert.Contains(report.Warnings, w => w.Contains("rtmMode=import", StringComparison.Ordinal) && w.Contains("no evidence", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_import_leaves_every_key_not_sent_with_RTMs_words()
    {
        using var rtm = new FakeRtm(cloud: true) { ImportResult = "FAILED", ImportingReads = 0 };
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("rtmMode", "import"))), _output, Ct);

        Assert.Contains(report.Errors, e => e.Contains("task 77", StringComparison.Ordinal) && e.Contains("FAILED: Invalid JUnit file", StringComparison.Ordinal));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public void Import_mode_is_Cloud_only_and_needs_no_plan()
    {
        var server = new TmsOptions { Target = "rtm", BaseUrl = new Uri("https://jira.example.com/"), Token = "t", TestPlan = "DEMO-300" };
        server.For<RtmOptions>().RtmMode = "import";
        Assert.Contains(new RtmServerBackend().Validate(server), p => p.Contains("rtmMode=import", StringComparison.Ordinal) && p.Contains("no import endpoint", StringComparison.Ordinal));
        var cloud = new TmsOptions { Target = "rtm-cloud", Token = "t" };
        cloud.For<RtmOptions>().RtmMode = "import";
        Assert.Empty(new RtmCloudBackend().Validate(cloud));
        cloud.For<RtmOptions>().RtmMode = "bulk";
        Assert.Contains(new RtmCloudBackend().Validate(cloud), p => p.Contains("rtmMode is 'bulk'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_5xx_on_one_result_leaves_that_key_not_sent_after_the_retries_and_the_rest_lands()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.BrokenTces.Add("DEMO-900-DEMO-3");
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"), ("maxRetries", "2"))), _output, Ct);

        var broken = report.Keys.Single(k => k.Key == "DEMO-3");
        Assert.Equal(KeyStates.NotSent, broken.State);
        Assert.Contains("HTTP 500", broken.Messages.Single());
        Assert.Contains("Internal server error", broken.Messages.Single());
        Assert.Equal(3, rtm.Calls.Count(c => c == "PUT v2/test-case-execution/DEMO-900-DEMO-3"));
        Assert.DoesNotContain(rtm.Comments, c => c.Tce == "DEMO-900-DEMO-3");
        Assert.Equal(3, report.Keys.Count(k => k.State == KeyStates.Sent));
    }

    /// <summary>The steps sample's shape: three runtime steps, the second fails with a screenshot.</summary>
    private List<TestResultRecord> StepsRun()
    {
        var r = Result("Ns.Checkout.Declined", TestOutcome.Failed, keys: ["DEMO-8"], sequence: 1).WithParameters(("card", "declined"));
        r.ErrorMessage = "checkout failed: card declined";
        r.Comments.Add("the cart still holds 3 items");
        var shot = _dir.File("ev/1/declined.png", "png bytes");
        var log = _dir.File("ev/1/run.log", "log bytes");
        r.Attachments = [new EvidenceFile { Path = log, FileName = "run.log", ContentType = "text/plain", Size = new FileInfo(log).Length }];
        r.Steps.Add(new TestStep { Name = "Open the cart" });
        r.Steps.Add(new TestStep
        {
            Name = "Pay with the declined card", Outcome = TestOutcome.Failed, Message = "InvalidOperationException: payment refused",
            Evidence = [new EvidenceFile { Path = shot, FileName = "declined.png", ContentType = "image/png", Size = new FileInfo(shot).Length }],
        });
        r.Steps.Add(new TestStep { Name = "See the error page" });
        return [r];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Runtime_steps_land_on_the_tces_steps_with_status_comment_and_evidence_when_the_counts_match(bool cloud)
    {
        using var rtm = new FakeRtm(cloud);
        rtm.PlanCases.Add("DEMO-8");
        rtm.CaseSteps["DEMO-8"] = 3;
        var options = cloud ? Cloud(rtm, ("testPlan", "DEMO-300")) : Server(rtm, ("testPlan", "DEMO-300"));
        var report = await Publisher.PublishAsync(Request(options, StepsRun()), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(report.Warnings);
        const string tce = "DEMO-900-DEMO-8";
        Assert.Equal("Fail", rtm.Results[tce]);
        Assert.Equal(["Pass", "Fail", "Pass"], Enumerable.Range(1, 3).Select(i => rtm.StepResults[(tce, i)]));
        Assert.Equal("InvalidOperationException: payment refused", Assert.Single(rtm.StepComments).Value);
        Assert.Equal((tce, 2), rtm.StepComments.Single().Key);
        var shot = Assert.Single(rtm.StepAttachments);
        Assert.Equal("502", shot.StepId);
        Assert.Contains("filename=\"declined.png\"", shot.Body);
        if (!cloud) Assert.Equal("no-check", rtm.Requests.Single(r => r.Path.EndsWith("/step/502/attachment", StringComparison.Ordinal)).Header("X-Atlassian-Token"));
        // The test's own file still goes to the TCE; the step's does not go twice.
        Assert.Contains("filename=\"run.log\"", Assert.Single(rtm.Attachments).Body);
        // The steps are on the TCE: the comment keeps the failure and the runtime comment, not the step text.
        var comment = Assert.Single(rtm.Comments).Text;
        Assert.Contains("checkout failed: card declined", comment);
        Assert.Contains("the cart still holds 3 items", comment);
        Assert.DoesNotContain("Steps:", comment);
        Assert.Contains("GET v2/test-case-execution/" + tce, rtm.Calls);
        Assert.Contains("PUT test-case-execution/" + tce + "/step/2/status", rtm.Calls);
        Assert.Equal(KeyStates.Sent, report.Keys.Single().State);
    }

    [Fact]
    public async Task Runtime_steps_stay_text_in_the_comment_when_the_tce_has_another_step_count()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.PlanCases.Add("DEMO-8");
        rtm.CaseSteps["DEMO-8"] = 2;
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300")), StepsRun()), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(rtm.StepResults);
        Assert.Empty(rtm.StepComments);
        Assert.Empty(rtm.StepAttachments);
        Assert.Contains("Steps:\n1. PASSED Open the cart\n2. FAILED Pay with the declined card — InvalidOperationException: payment refused [evidence: declined.png]\n3. PASSED See the error page",
            Assert.Single(rtm.Comments).Text);
        Assert.Equal(["declined.png", "run.log"], rtm.Attachments.Select(a => a.Body.Contains("declined.png", StringComparison.Ordinal) ? "declined.png" : "run.log").Order());
        Assert.Equal(KeyStates.Sent, report.Keys.Single().State);
    }

    [Fact]
    public async Task A_step_status_RTM_refuses_is_named_by_key_and_step_and_the_tce_result_still_goes()
    {
        using var rtm = new FakeRtm(cloud: true) { StepStatuses = new(StringComparer.OrdinalIgnoreCase) { "Pass", "To do" } };
        rtm.PlanCases.Add("DEMO-8");
        rtm.CaseSteps["DEMO-8"] = 3;
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300")), StepsRun()), _output, Ct);

        const string tce = "DEMO-900-DEMO-8";
        Assert.Equal("Fail", rtm.Results[tce]);
        var key = report.Keys.Single();
        Assert.Equal(KeyStates.Sent, key.State);
        var message = Assert.Single(key.Messages);
        Assert.Contains("'Fail' of DEMO-8 step 2 ('Pay with the declined card')", message);
        Assert.Contains("Step status 'Fail' does not exist", message);
        Assert.Contains("statusMap", message);
        Assert.Contains(report.Warnings, w => w.Contains(tce, StringComparison.Ordinal) && w.Contains("step 2", StringComparison.Ordinal));
        // The other steps took theirs; the comment keeps the steps as text, since not all of them landed.
        Assert.Equal("Pass", rtm.StepResults[(tce, 1)]);
        Assert.Equal("Pass", rtm.StepResults[(tce, 3)]);
        Assert.Contains("2. FAILED Pay with the declined card", Assert.Single(rtm.Comments).Text);
    }

    [Fact]
    public async Task RtmStepPath_moves_the_step_writes_and_a_bad_template_is_named()
    {
        using var rtm = new FakeRtm(cloud: true);
        rtm.PlanCases.Add("DEMO-8");
        rtm.CaseSteps["DEMO-8"] = 3;
        var report = await Publisher.PublishAsync(Request(Cloud(rtm, ("testPlan", "DEMO-300"), ("rtmStepPath", "test-case-execution/{tce}/step/{index0}")), StepsRun()), _output, Ct);

        // 0-based: the first step is index 0, which this RTM (1-based) refuses by name; the others shift.
        Assert.Contains("PUT test-case-execution/DEMO-900-DEMO-8/step/0/status", rtm.Calls);
        Assert.Contains(report.Keys.Single().Messages, m => m.Contains("step 1", StringComparison.Ordinal) && m.Contains("rtmStepPath", StringComparison.Ordinal));
        var bad = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "rtm-cloud").Add("rtmStepPath", "steps/{n}")]);
        Assert.Contains(bad.Problems, p => p.Message.Contains("rtmStepPath", StringComparison.Ordinal) && p.Message.Contains("{tce}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_TCE_comment_carries_the_runtime_comments_and_steps()
    {
        var r = Result("Demo.CheckoutTests.Pay", TestOutcome.Failed, keys: ["DEMO-7"]);
        r.ErrorMessage = "card declined";
        r.Comments.Add("cart had 3 items");
        r.Steps.Add(new TestStep { Name = "Open cart" });
        r.Steps.Add(new TestStep { Name = "Pay", Outcome = TestOutcome.Failed });
        var keyed = new KeyedResult { Key = "DEMO-7" };
        keyed.Results.Add(r);

        Assert.Equal("card declined\ncart had 3 items\nSteps:\n1. PASSED Open cart\n2. FAILED Pay", RtmPayload.Comment(keyed));
    }

    [Fact]
    public async Task Validate_on_Cloud_reads_each_key_with_one_GET_capped_and_names_the_missing_ones()
    {
        using var rtm = new FakeRtm(cloud: true);
        var report = await TargetChecker.ValidateAsync(Cloud(rtm, ("testPlan", "DEMO-300")), new Dictionary<string, string> { ["DEMO-1"] = "test Ns.A", ["DEMO-999"] = "test Ns.B" }, TestContext.Current.CancellationToken);
        Assert.Contains("GET v2/test-case/DEMO-1", rtm.Calls);
        Assert.Contains("GET v2/test-case/DEMO-999", rtm.Calls);
        var line = Assert.Single(report.Checks, c => c.Check == "keys");
        Assert.Equal(TargetCheck.Failed, line.State);
        Assert.StartsWith("key DEMO-999 (test Ns.B) does not exist in RTM Cloud", line.Message);

        // More keys than the cap: the first MaxKeysLookedUp are read, the rest named as not looked up.
        using var many = new FakeRtm(cloud: true);
        foreach (var i in Enumerable.Range(1, RtmBackendBase.MaxKeysLookedUp + 5)) many.PlanCases.Add($"DEMO-{i}");
        var keys = Enumerable.Range(1, RtmBackendBase.MaxKeysLookedUp + 5).ToDictionary(i => $"DEMO-{i}", i => $"test Ns.T{i}");
        var capped = await TargetChecker.ValidateAsync(Cloud(many, ("testPlan", "DEMO-300")), keys, TestContext.Current.CancellationToken);
        Assert.Equal(RtmBackendBase.MaxKeysLookedUp, many.Calls.Count(c => c.StartsWith("GET v2/test-case/", StringComparison.Ordinal)));
        Assert.Contains(capped.Checks, c => c.Check == "keys" && c.State == TargetCheck.Skipped && c.Message.StartsWith($"5 of {keys.Count} keys not looked up: RTM Cloud reads test cases one request per key", StringComparison.Ordinal));
        Assert.Contains(capped.Checks, c => c.Check == "keys" && c.State == TargetCheck.Ok && c.Message == $"{RtmBackendBase.MaxKeysLookedUp} keys exist in RTM Cloud.");
        Assert.True(capped.Passed);
        Assert.All(capped.Requests, r => Assert.Equal("GET", r.Method));
    }
}

using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Aio;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Mapping;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// targets aio-cloud and aio end to end through Publisher.PublishAsync against a real listener on
/// 127.0.0.1 playing AIO Tests (<see cref="FakeAio"/>): auth per flavour, cycle modes, folder and
/// tasks, chunks of 100, partial failures, status validation, data rows both ways, evidence with
/// the run listing and the 404 switch-off, the lost create, and the number of requests.
/// </summary>
public sealed class AioBackendTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private readonly List<PublishMark> _marks = [];
    public void Dispose() => _dir.Dispose();

    private const string Token = "aio-token-0123456789abcdef";
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
        var passed = Result("Ns.C.Passes", keys: ["DEMO-TC-1"], sequence: 1);
        passed.DurationMs = 20;
        return [passed, failed, Result("Ns.C.Skips", TestOutcome.Skipped, keys: ["DEMO-TC-3"], sequence: 3), Result("Ns.C.Maybe", TestOutcome.Inconclusive, keys: ["DEMO-TC-4"], sequence: 4)];
    }

    private static TmsOptions Options(string target, Uri baseUrl, (string, string)[] secrets, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", target).Add("baseUrl", baseUrl.ToString()).Add("timeout", "30");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        foreach (var (name, value) in secrets) env.Add(name, value);
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static TmsOptions Cloud(FakeAio aio, params (string Name, string Value)[] extra) => Options("aio-cloud", aio.BaseUrl, [("token", Token)], extra);
    private static TmsOptions Server(FakeAio aio, params (string Name, string Value)[] extra) => Options("aio", aio.BaseUrl, [("password", Password)], [("user", "admin"), .. extra]);

    private static JsonNode Json(TinyHttpServer.Request r) => JsonNode.Parse(r.Body)!;
    private static List<JsonNode> TestRuns(TinyHttpServer.Request r) => Json(r)["testRuns"]!.AsArray().Select(n => n!).ToList();
    private string ReportText() => File.ReadAllText(Path.Combine(RunFolder, RunId + ".report.json"));

    [Fact]
    public async Task Cloud_reads_statuses_creates_a_cycle_and_sends_one_bulk_with_AioAuth()
    {
        using var aio = new FakeAio(cloud: true);
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("project", "DEMO"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(["GET config", "POST testcycle/detail", "POST testcycle/DEMO-CY-10/bulk/testrun/update"],
            aio.Requests.Select(r => r.Method + " " + r.Path.Substring(aio.Prefix.Length)));
        Assert.All(aio.Requests, r => Assert.Equal("AioAuth " + Token, r.Authorization));
        var bulk = Assert.Single(aio.Bulks);
        Assert.Equal("?createNewRun=false&addCaseToCycle=true", bulk.Query);
        var runs = TestRuns(bulk);
        Assert.Equal(["DEMO-TC-1", "DEMO-TC-2", "DEMO-TC-3", "DEMO-TC-4"], runs.Select(r => (string?)r["testCaseKey"]));
        Assert.Equal(["Passed", "Failed", "Not Run", "Blocked"], runs.Select(r => (string?)r["testRunStatus"]));
        Assert.All(runs, r => Assert.True((bool)r["isAutomated"]!));
        Assert.Equal(1.234, (double)runs[1]["effort"]!, 3);
        Assert.Equal(0.02, (double)runs[0]["effort"]!, 3);
        Assert.Equal("Expected 3 but was 4\nat Ns.C.Fails() in C.cs:line 12", (string?)runs[1]["comments"]![0]);
        Assert.Null(runs[0]["comments"]);

        var create = Json(aio.RequestsTo("POST", "testcycle/detail").Single());
        Assert.Equal($"Tests: automated test run 2026-05-06 07:08 UTC ({RunId})", (string?)create["title"]);
        Assert.Equal("TmsBridge run " + RunId, (string?)create["objective"]);
        Assert.Null(create["folder"]);

        Assert.Equal("DEMO-CY-10", report.Execution!.Key);
        Assert.Equal("9010", report.Execution.Id);
        Assert.False(report.Execution.Reused);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        Assert.Equal("AIO Tests Cloud", report.TargetName);
        Assert.Equal(4, _marks.Count(m => m.State == KeyStates.Sent && m.ExecutionKey == "DEMO-CY-10"));
        Assert.Contains(_output.Lines, l => l.Contains("AIO Tests Cloud created DEMO-CY-10", StringComparison.Ordinal) && l.Contains("4 sent", StringComparison.Ordinal));
        Assert.DoesNotContain(Token, ReportText());
        Assert.DoesNotContain(Token, _output.All);
    }

    [Fact]
    public async Task Cloud_without_baseUrl_points_at_the_production_host()
    {
        var backend = new AioCloudBackend();
        Assert.Equal("https://tcms.aiojiraapps.com/aio-tcms/api/v1/", backend.ApiRoot(new TmsOptions()).ToString());
        Assert.Equal("https://jira.example.com/ctx/rest/aio-tcms-api/1.0/", new AioServerBackend().ApiRoot(new TmsOptions { BaseUrl = new Uri("https://jira.example.com/ctx/") }).ToString());
        Assert.Equal(60, backend.DefaultRateLimit!.Requests);
        Assert.Equal(TimeSpan.FromMinutes(1), backend.DefaultRateLimit.Window);
        Assert.IsType<AioServerBackend>(BackendRegistry.Create("aio"));
        Assert.IsType<AioCloudBackend>(BackendRegistry.Create("aio-cloud"));

        var missing = await Publisher.PublishAsync(Request(new TmsOptions { Target = "aio-cloud" }), _output, Ct);
        Assert.Contains(missing.Errors, e => e.Contains("TMS_TOKEN", StringComparison.Ordinal) && e.Contains("AioAuth", StringComparison.Ordinal));
        Assert.DoesNotContain(missing.Errors, e => e.Contains("baseUrl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Server_uses_the_Jira_path_with_Basic_or_a_PAT(bool pat)
    {
        using var aio = new FakeAio(cloud: false);
        var options = pat
            ? Options("aio", aio.BaseUrl, [("token", Token)])
            : Server(aio);
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.All(aio.Requests, r => Assert.StartsWith("/rest/aio-tcms-api/1.0/project/DEMO/", r.Path)); // project from the first key
        var expected = pat ? "Bearer " + Token : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Password));
        Assert.All(aio.Requests, r => Assert.Equal(expected, r.Authorization));
        Assert.Equal("AIO Tests Server/DC", report.TargetName);
        Assert.Equal(4, report.Totals.Sent);
    }

    [Fact]
    public async Task Server_without_baseUrl_or_credentials_names_what_is_missing()
    {
        var report = await Publisher.PublishAsync(Request(new TmsOptions { Target = "aio" }), _output, Ct);
        var errors = string.Join("\n", report.Errors);
        Assert.Contains("TMS_BASE_URL", errors);
        Assert.Contains("TMS_TOKEN", errors);
        Assert.Contains("TMS_PASSWORD", errors);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task TestExecution_reports_into_that_cycle_without_search_or_create()
    {
        using var aio = new FakeAio();
        aio.AddCycle("existing"); // DEMO-CY-10
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("testExecution", "DEMO-CY-10"), ("cycleMode", "reuse"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(["GET config", "POST testcycle/DEMO-CY-10/bulk/testrun/update"], aio.Requests.Select(r => r.Method + " " + r.Path.Substring(aio.Prefix.Length)));
        Assert.True(report.Execution!.Reused);
        Assert.Equal("DEMO-CY-10", report.Execution.Key);
        Assert.Contains(_output.Lines, l => l.Contains("reported into DEMO-CY-10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CycleMode_reuse_without_testExecution_is_an_error_and_sends_nothing()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("cycleMode", "reuse"))), _output, Ct);
        Assert.Contains(report.Errors, e => e.Contains("cycleMode=reuse", StringComparison.Ordinal) && e.Contains("TMS_TEST_EXECUTION", StringComparison.Ordinal));
        Assert.Empty(aio.Requests);
    }

    [Fact]
    public async Task CreateIfAbsent_finds_the_cycle_by_exact_title_and_creates_it_only_when_absent()
    {
        using var aio = new FakeAio();
        var first = await Publisher.PublishAsync(Request(Cloud(aio, ("cycleMode", "createIfAbsent"), ("summary", "Nightly regression"))), _output, Ct);
        Assert.Empty(first.Errors);
        Assert.False(first.Execution!.Reused);
        var search = Json(aio.RequestsTo("POST", "testcycle/search").Single());
        Assert.Equal("EXACT_MATCH", (string?)search["title"]!["comparisonType"]);
        Assert.Equal("Nightly regression", (string?)search["title"]!["value"]);
        Assert.Single(aio.RequestsTo("POST", "testcycle/detail"));

        var second = await Publisher.PublishAsync(Request(Cloud(aio, ("cycleMode", "createIfAbsent"), ("summary", "Nightly regression"))), _output, Ct);
        Assert.Empty(second.Errors);
        Assert.True(second.Execution!.Reused);
        Assert.Equal(first.Execution.Key, second.Execution.Key);
        Assert.Single(aio.RequestsTo("POST", "testcycle/detail")); // still one create
        Assert.Single(aio.Cycles);
        Assert.Equal(2, aio.Bulks.Count);
    }

    [Fact]
    public async Task CreateIfAbsent_needs_a_summary()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("cycleMode", "createIfAbsent"))), _output, Ct);
        Assert.Contains(report.Errors, e => e.Contains("TMS_SUMMARY", StringComparison.Ordinal));
        Assert.Empty(aio.Requests);
    }

    [Fact]
    public async Task A_new_cycle_gets_its_folder_by_path_tasks_objective_and_a_title_of_at_most_255_characters()
    {
        using var aio = new FakeAio();
        var longTitle = new string('T', 300);
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("cycleFolder", "Nightly/Linux"), ("testPlan", "DEMO-50"), ("tasks", "DEMO-60; DEMO-61"),
            ("summary", longTitle), ("description", "Built from main"))), _output, Ct);

        Assert.Empty(report.Errors);
        var folder = Json(aio.RequestsTo("PUT", "testcycle/folder/hierarchy").Single());
        Assert.Equal(["Nightly", "Linux"], folder["folderHierarchy"]!.AsArray().Select(n => (string?)n));
        var create = Json(aio.RequestsTo("POST", "testcycle/detail").Single());
        Assert.Equal(700, (int)create["folder"]!["ID"]!);
        Assert.Equal(["DEMO-50", "DEMO-60", "DEMO-61"], create["jiraTaskIDs"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(255, ((string)create["title"]!).Length);
        Assert.Equal("Built from main\n\nTmsBridge run " + RunId, (string?)create["objective"]);
    }

    [Fact]
    public async Task Results_go_in_chunks_of_at_most_100_runs_with_the_fewest_requests()
    {
        using var aio = new FakeAio();
        var results = Enumerable.Range(1, 250).Select(i => Result($"Ns.C.T{i}", i % 25 == 0 ? TestOutcome.Failed : TestOutcome.Passed, keys: [$"DEMO-TC-{i}"], sequence: i)).ToList();
        var report = await Publisher.PublishAsync(Request(Cloud(aio), results), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal([100, 100, 50], aio.Bulks.Select(b => TestRuns(b).Count));
        Assert.Equal(250, aio.Bulks.SelectMany(TestRuns).Select(r => (string?)r["testCaseKey"]).Distinct().Count());
        Assert.Equal(1 + 1 + 3, aio.Requests.Count); // config + create + ceil(250/100)
        Assert.Equal(250, report.Totals.Sent);
        Assert.Equal(250, aio.Runs.Count);
    }

    [Fact]
    public async Task A_200_with_errors_is_a_partial_failure_naming_each_refused_case()
    {
        using var aio = new FakeAio();
        aio.Refuse["DEMO-TC-2"] = "Case DEMO-TC-2 is not in Published status";
        var report = await Publisher.PublishAsync(Request(Cloud(aio)), _output, Ct);

        var refused = report.FindKey("DEMO-TC-2")!;
        Assert.Equal(KeyStates.Refused, refused.State);
        Assert.Contains("Case DEMO-TC-2 is not in Published status", refused.Messages);
        Assert.Equal(3, report.Totals.Sent);
        Assert.Equal(1, report.Totals.Refused);
        Assert.True(report.PublishFailed);
        Assert.Contains(_output.Errors, l => l.Contains("DEMO-TC-2 refused by AIO Tests Cloud: Case DEMO-TC-2 is not in Published status", StringComparison.Ordinal));
        Assert.Contains(_marks, m => m.Key == "DEMO-TC-2" && m.State == KeyStates.Refused);
    }

    [Fact]
    public async Task A_FAILED_status_without_named_cases_refuses_the_chunk()
    {
        using var server = new TinyHttpServer(r => r.Path.EndsWith("/config", StringComparison.Ordinal) ? new TinyHttpServer.Reply(200, """{"runStatuses":[{"ID":1,"name":"Passed"},{"ID":2,"name":"Failed"},{"ID":3,"name":"Not Run"},{"ID":4,"name":"Blocked"}]}""")
            : new TinyHttpServer.Reply(200, """{"status":"FAILED","requestCount":4,"successCount":0,"errorCount":0}"""));
        var options = Options("aio-cloud", server.BaseUrl, [("token", Token)], ("testExecution", "DEMO-CY-1"));
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Refused, k.State));
        Assert.Contains(report.Keys[0].Messages, m => m.Contains("FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_mapped_status_the_project_lacks_stops_before_anything_is_sent_and_names_the_valid_ones()
    {
        using var aio = new FakeAio();
        aio.Statuses = ["Not Run", "Passed", "Failed", "Blocked", "Skipped"];
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("statusMap", "Failed=Broken"))), _output, Ct);

        var error = Assert.Single(report.Errors);
        Assert.Contains("'Broken' (for Failed)", error);
        Assert.Contains("'Not Run', 'Passed', 'Failed', 'Blocked', 'Skipped'", error);
        Assert.Equal(["GET config"], aio.Requests.Select(r => r.Method + " " + r.Path.Substring(aio.Prefix.Length)));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task Statuses_are_sent_in_the_projects_spelling_and_checkStatuses_false_skips_the_read()
    {
        using var aio = new FakeAio();
        aio.Statuses = ["NOT RUN", "PASSED", "FAILED", "BLOCKED"];
        var report = await Publisher.PublishAsync(Request(Cloud(aio)), _output, Ct);
        Assert.Empty(report.Errors);
        Assert.Equal(["PASSED", "FAILED", "NOT RUN", "BLOCKED"], TestRuns(aio.Bulks.Single()).Select(r => (string?)r["testRunStatus"]));

        using var unchecked_ = new FakeAio();
        var again = await Publisher.PublishAsync(Request(Cloud(unchecked_, ("checkStatuses", "false"))), _output, Ct);
        Assert.Empty(again.Errors);
        Assert.Empty(unchecked_.RequestsTo("GET", "config"));
    }

    private static List<TestResultRecord> Rows()
    {
        var rows = new[] { "bob", "eve", "mallory" }.Select((u, i) =>
            Result("Ns.Login.Locked", u == "eve" ? TestOutcome.Failed : TestOutcome.Passed, displayName: $"Locked(user: \"{u}\")", keys: ["DEMO-TC-7"], sequence: i + 1)
                .WithParameters(("user", u))).ToList();
        rows[1].ErrorMessage = "eve got in";
        rows[1].ErrorStackTrace = "at Ns.Login.Locked(String user)";
        foreach (var r in rows) r.DurationMs = 100;
        return rows;
    }

    [Fact]
    public async Task Data_rows_are_one_run_with_the_worst_status_and_every_row_in_the_comment()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio), Rows()), _output, Ct);

        Assert.Empty(report.Errors);
        var run = Assert.Single(TestRuns(aio.Bulks.Single()));
        Assert.Equal("Failed", (string?)run["testRunStatus"]);
        Assert.Equal(0.3, (double)run["effort"]!, 3);
        var comment = (string)Assert.Single(run["comments"]!.AsArray())!;
        Assert.Contains("Passed: Locked(user: \"bob\")", comment);
        Assert.Contains("Failed: Locked(user: \"eve\") — eve got in", comment);
        Assert.Contains("Passed: Locked(user: \"mallory\")", comment);
        Assert.Contains("at Ns.Login.Locked(String user)", comment);
    }

    [Fact]
    public async Task With_createNewRun_each_data_row_is_its_own_run()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("createNewRun", "true"), ("addCaseToCycle", "false")), Rows()), _output, Ct);

        Assert.Empty(report.Errors);
        var bulk = aio.Bulks.Single();
        Assert.Equal("?createNewRun=true&addCaseToCycle=false", bulk.Query);
        var runs = TestRuns(bulk);
        Assert.Equal(["DEMO-TC-7", "DEMO-TC-7", "DEMO-TC-7"], runs.Select(r => (string?)r["testCaseKey"]));
        Assert.Equal(["Passed", "Failed", "Passed"], runs.Select(r => (string?)r["testRunStatus"]));
        Assert.StartsWith("Locked(user: \"eve\"): Failed\neve got in", (string?)runs[1]["comments"]![0]);
        Assert.Equal(3, aio.Runs.Count);
        Assert.Equal(KeyStates.Sent, report.Keys.Single().State);
    }

    private List<TestResultRecord> WithEvidence(List<TestResultRecord> results)
    {
        foreach (var r in results)
        {
            var path = _dir.File($"ev/{r.Sequence}/log-{r.Sequence}.txt", $"evidence of {r.Sequence}\n");
            r.Attachments = [new EvidenceFile { Path = path, FileName = $"log-{r.Sequence}.txt", ContentType = "text/plain", Size = new FileInfo(path).Length }];
        }
        return results;
    }

    [Fact]
    public async Task Evidence_goes_to_each_cases_newest_run_after_one_listing()
    {
        using var aio = new FakeAio();
        var cycle = aio.AddCycle("existing");
        // An older run of DEMO-TC-1 in the reused cycle: the file must go to the newest one.
        aio.Runs.Add(new FakeAio.Run(100, "DEMO-CY-10", "DEMO-TC-1", "Failed", 1, []));
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("testExecution", "DEMO-CY-10"), ("createNewRun", "true")), WithEvidence(Sample())), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(report.SkippedEvidence);
        Assert.Single(aio.RequestsTo("GET", "testcycle/DEMO-CY-10/testrun"));
        Assert.Equal(4, aio.Attachments.Count);
        foreach (var (runId, fileName, contentType, body) in aio.Attachments)
        {
            var run = aio.Runs.Single(r => r.Id == runId);
            var sequence = fileName.Substring(4, 1);
            Assert.Equal($"DEMO-TC-{sequence}", run.CaseKey);
            Assert.Equal("text/plain", contentType);
            Assert.Equal($"evidence of {sequence}\n", body);
        }
        Assert.DoesNotContain(aio.Attachments, a => a.RunId == 100);
        Assert.Equal(1 + 1 + 1 + 4, aio.Requests.Count); // config, bulk, listing, one upload per file
        _ = cycle;
    }

    [Fact]
    public async Task The_listing_is_paged_until_the_last_page()
    {
        using var aio = new FakeAio { ListingPageSize = 2 }; // the server caps pages below what was asked
        aio.AddCycle("existing");
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("testExecution", "DEMO-CY-10")), WithEvidence(Sample())), _output, Ct);

        Assert.Empty(report.SkippedEvidence);
        var pages = aio.RequestsTo("GET", "testcycle/DEMO-CY-10/testrun");
        Assert.Equal(["?startAt=0&maxResults=100", "?startAt=2&maxResults=100"], pages.Select(p => p.Query));
        Assert.Equal(4, aio.Attachments.Count);
    }

    [Fact]
    public async Task Data_row_evidence_goes_to_the_rows_own_run_with_createNewRun()
    {
        using var aio = new FakeAio();
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("createNewRun", "true")), WithEvidence(Rows())), _output, Ct);

        Assert.Empty(report.SkippedEvidence);
        var runs = aio.Runs.OrderBy(r => r.Id).ToList();
        Assert.Equal(3, aio.Attachments.Count);
        for (var i = 0; i < 3; i++)
            Assert.Equal($"log-{i + 1}.txt", aio.Attachments.Single(a => a.RunId == runs[i].Id).FileName);
    }

    [Fact]
    public async Task A_404_from_the_attachment_endpoint_turns_attachments_off_with_one_warning()
    {
        using var aio = new FakeAio(cloud: false) { AttachmentsNotFound = true };
        var report = await Publisher.PublishAsync(Request(Server(aio), WithEvidence(Sample())), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Single(aio.RequestsTo("POST", @"testcycle/[^/]+/testrun/[0-9]+/attachment")); // the first 404 stops the rest
        Assert.Single(report.Warnings, w => w.Contains("404", StringComparison.Ordinal) && w.Contains("attachment", StringComparison.Ordinal));
        Assert.Equal(4, report.SkippedEvidence.Count);
        Assert.All(report.SkippedEvidence, s => Assert.Contains("404", s.Reason));
        Assert.Equal(4, report.Totals.Sent); // results are not affected
    }

    [Fact]
    public async Task Evidence_over_the_size_budgets_is_skipped_with_reasons_and_refused_cases_get_none()
    {
        using var aio = new FakeAio();
        aio.Refuse["DEMO-TC-4"] = "Case not found";
        var results = WithEvidence(Sample());
        var big = _dir.File("ev/big.bin", new byte[4096]);
        results[0].Attachments.Add(new EvidenceFile { Path = big, FileName = "big.bin", Size = 4096 });
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("maxEvidenceFileBytes", "1KB"), ("maxEvidenceRunBytes", "40")), results), _output, Ct);

        Assert.Contains(report.SkippedEvidence, s => s.File == "big.bin" && s.Reason.Contains("maxEvidenceFileBytes", StringComparison.Ordinal));
        Assert.Contains(report.SkippedEvidence, s => s.Reason.Contains("maxEvidenceRunBytes", StringComparison.Ordinal));
        Assert.DoesNotContain(aio.Attachments, a => a.FileName == "big.bin");
        Assert.True(aio.Attachments.Count is >= 1 and < 4);
        Assert.DoesNotContain(aio.Attachments, a => a.FileName == "log-4.txt");
    }

    [Fact]
    public async Task A_lost_answer_to_the_cycle_create_is_found_by_title_never_created_twice()
    {
        using var aio = new FakeAio { LoseCreateAnswers = 1 };
        var report = await Publisher.PublishAsync(Request(Cloud(aio)), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Single(aio.RequestsTo("POST", "testcycle/detail"));
        Assert.Single(aio.RequestsTo("POST", "testcycle/search"));
        Assert.Single(aio.Cycles);
        Assert.Equal("DEMO-CY-10", report.Execution!.Key);
        Assert.Contains(report.Warnings, w => w.Contains("was lost", StringComparison.Ordinal));
        Assert.Equal(4, report.Totals.Sent);
    }

    [Fact]
    public async Task A_lost_cycle_create_with_no_retries_left_is_found_by_its_marker_and_the_results_go_into_it()
    {
        // The create reached AIO but its answer was lost, and no retry is left (maxRetries=0): the
        // final lookup of CreateOnce finds this run's cycle by its marker instead of reporting failure.
        using var aio = new FakeAio { LoseCreateAnswers = 1 };
        aio.AddCycle("Nightly", "TmsBridge run 20250101T000000Z-00000000"); // an older cycle of the same title is not adopted
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("summary", "Nightly"), ("maxRetries", "0"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Single(aio.RequestsTo("POST", "testcycle/detail"));
        Assert.Single(aio.RequestsTo("POST", "testcycle/search"));
        Assert.Equal(2, aio.Cycles.Count);
        Assert.Equal("DEMO-CY-11", report.Execution!.Key);
        Assert.False(report.Execution.Reused);
        Assert.Contains(report.Warnings, w => w.Contains("cycle DEMO-CY-11 was lost", StringComparison.Ordinal) && w.Contains("found by its title", StringComparison.Ordinal));
        Assert.Equal(4, report.Totals.Sent);
        Assert.All(aio.Runs, r => Assert.Equal("DEMO-CY-11", r.Cycle));
        Assert.Equal(4, aio.Runs.Count);
    }

    [Fact]
    public async Task A_lost_create_does_not_adopt_an_older_cycle_of_the_same_title()
    {
        using var aio = new FakeAio { LoseCreateAnswers = 1 };
        aio.AddCycle("Nightly", "TmsBridge run 20250101T000000Z-00000000"); // yesterday's cycle, same title
        var report = await Publisher.PublishAsync(Request(Cloud(aio, ("summary", "Nightly"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal("DEMO-CY-11", report.Execution!.Key); // this run's cycle, found by its marker
        Assert.Single(aio.RequestsTo("POST", "testcycle/detail"));
    }

    [Fact]
    public async Task Bad_credentials_stop_at_the_first_request_with_a_hint()
    {
        using var aio = new FakeAio { FailAllWith = 401 };
        var report = await Publisher.PublishAsync(Request(Cloud(aio)), _output, Ct);

        var error = Assert.Single(report.Errors);
        Assert.Contains("HTTP 401", error);
        Assert.Contains("TMS_TOKEN", error);
        Assert.Single(aio.Requests);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public async Task A_refused_bulk_stops_the_later_chunks_and_keeps_them_unsent()
    {
        var bulks = 0;
        using var server = new TinyHttpServer(r =>
        {
            if (r.Path.EndsWith("/bulk/testrun/update", StringComparison.Ordinal)) Interlocked.Increment(ref bulks);
            return new TinyHttpServer.Reply(404, """{"message":"Cycle not found"}""");
        });
        var results = Enumerable.Range(1, 150).Select(i => Result($"Ns.C.T{i}", keys: [$"DEMO-TC-{i}"], sequence: i)).ToList();
        var options = Options("aio-cloud", server.BaseUrl, [("token", Token)], ("testExecution", "DEMO-CY-404"), ("checkStatuses", "false"));
        var report = await Publisher.PublishAsync(Request(options, results), _output, Ct);

        Assert.Equal(1, bulks);
        Assert.Equal(150, report.Totals.NotSent);
        Assert.Contains(report.Errors, e => e.Contains("Cycle not found", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_429_is_waited_out_and_the_bulk_goes_on()
    {
        using var aio = new FakeAio();
        var limited = 0;
        using var gate = new TinyHttpServer(async r =>
        {
            if (r.Path.EndsWith("/bulk/testrun/update", StringComparison.Ordinal) && Interlocked.Increment(ref limited) == 1)
                return new TinyHttpServer.Reply(429, """{"message":"Too many requests"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" });
            using var http = new HttpClient();
            var request = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(aio.BaseUrl, r.Path.TrimStart('/') + r.Query));
            if (r.Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", r.Authorization);
            if (r.Body.Length > 0) request.Content = new StringContent(r.Body, Encoding.UTF8, "application/json");
            var response = await http.SendAsync(request);
            return new TinyHttpServer.Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        });
        // The wait is the server's Retry-After, on a clock that skips ahead instead of sleeping.
        var clock = new SkipAheadClock(TestPublishRequests.T0);
        var request = Request(Options("aio-cloud", gate.BaseUrl, [("token", Token)]));
        request.TimeProvider = clock;
        var report = await Publisher.PublishAsync(request, _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(4, report.Totals.Sent);
        Assert.Contains(report.Requests, r => r.Status == 429);
        Assert.Equal(2, limited);
        Assert.Equal([TimeSpan.FromSeconds(1)], clock.Waits);
    }

    [Fact]
    public async Task DryRun_writes_the_cycle_and_bulk_bodies_and_sends_nothing()
    {
        var options = Options("aio-cloud", new Uri("http://127.0.0.1:9/"), [], ("dryRun", "true"), ("cycleFolder", "Nightly"));
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(report.Requests);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
        var folder = Path.Combine(RunFolder, RunId + ".dryrun");
        var bulk = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "aio-bulk-1.json")))!;
        Assert.Equal(4, bulk["testRuns"]!.AsArray().Count);
        var cycle = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "aio-cycle.json")))!;
        Assert.Equal(["Nightly"], cycle["folder"]!["folderHierarchy"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void New_options_parse_and_reject_bad_values()
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test")
            .Add("cycleMode", "CreateIfAbsent").Add("cycleFolder", "/Nightly/Linux/").Add("tasks", "A-1;B-2")
            .Add("createNewRun", "yes").Add("addCaseToCycle", "false").Add("checkStatuses", "off")]);
        Assert.Empty(options.Problems);
        Assert.Equal("createIfAbsent", options.CycleMode);
        Assert.Equal("Nightly/Linux", options.CycleFolder);
        Assert.Equal(["A-1", "B-2"], options.Tasks);
        Assert.True(options.CreateNewRun);
        Assert.False(options.AddCaseToCycle);
        Assert.False(options.CheckStatuses);
        var shown = options.ToPublicDictionary();
        Assert.Equal("createIfAbsent", shown["cycleMode"]);
        Assert.Equal("A-1;B-2", shown["tasks"]);

        var defaults = ConfigurationResolver.Resolve([]);
        Assert.Equal("new", defaults.CycleMode);
        Assert.False(defaults.CreateNewRun);
        Assert.True(defaults.AddCaseToCycle);
        Assert.True(defaults.CheckStatuses);
        Assert.Equal("TMS_CYCLE_MODE", OptionCatalog.CycleMode.EnvironmentVariable);

        var bad = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("cycleMode", "sometimes")]);
        Assert.Contains(bad.Problems, p => p.Message.Contains("new, reuse or createIfAbsent", StringComparison.Ordinal));
    }

    [Fact]
    public void Aio_default_statuses_follow_the_documented_names()
    {
        Assert.Equal("Passed", StatusMap.AioDefaults[TestOutcome.Passed]);
        Assert.Equal("Failed", StatusMap.AioDefaults[TestOutcome.Failed]);
        Assert.Equal("Not Run", StatusMap.AioDefaults[TestOutcome.Skipped]);
        Assert.Equal("Not Run", StatusMap.AioDefaults[TestOutcome.NotRun]);
        Assert.Equal("Blocked", StatusMap.AioDefaults[TestOutcome.Inconclusive]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Validate_searches_the_keys_a_hundred_a_request_and_names_each_missing_one_with_its_test(bool cloud)
    {
        using var aio = new FakeAio(cloud);
        var keys = Enumerable.Range(1, 150).ToDictionary(i => $"DEMO-TC-{i}", i => $"test Ns.T{i}");
        var report = await TargetChecker.ValidateAsync(cloud ? Cloud(aio) : Server(aio), keys, TestContext.Current.CancellationToken);

        var searches = aio.RequestsTo("POST", "testcase/search");
        Assert.Equal(2, searches.Count);
        Assert.Equal(100, JsonNode.Parse(searches[0].Body)!["key"]!["list"]!.AsArray().Count);
        Assert.Equal("IN", (string?)JsonNode.Parse(searches[1].Body)!["key"]!["comparisonType"]);
        var line = Assert.Single(report.Checks, c => c.Check == "keys");
        Assert.Equal(TargetCheck.Failed, line.State);
        Assert.Contains("keys DEMO-TC-51 (test Ns.T51), ", line.Message);
        Assert.Contains("DEMO-TC-150 (test Ns.T150) do not exist in AIO Tests", line.Message);
        Assert.DoesNotContain("DEMO-TC-50 ", line.Message);
        Assert.All(report.Requests, r => Assert.True(r.Method == "GET" || r.Url.Contains("/testcase/search", StringComparison.Ordinal), r.Method + " " + r.Url));

        var known = await TargetChecker.ValidateAsync(cloud ? Cloud(aio) : Server(aio), new Dictionary<string, string> { ["DEMO-TC-7"] = "test Ns.A" }, TestContext.Current.CancellationToken);
        Assert.Contains(known.Checks, c => c.Check == "keys" && c.State == TargetCheck.Ok && c.Message.StartsWith("1 key exists in AIO Tests", StringComparison.Ordinal));
    }
}

using System.Text.Json.Nodes;
using TmsBridge.Backends.QTest;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Model;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests.QTest;

/// <summary>
/// target qtest end to end through Publisher.PublishAsync against <see cref="FakeQTest"/> on a real
/// loopback listener: keys resolved in one search, Automation Content as the fingerprint, manual cases
/// refused or adopted, the cycle created once, the submit split and polled, requirement links, login.
/// Every body the fake received is checked against the official Swagger.
/// </summary>
[Collection(nameof(QTestBackendTests))] // the poll timings are static
public sealed class QTestBackendTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    private const string RunId = "20260506T070809Z-ab12cd34";
    private string RunFolder => _dir.Combine("TestResults/tms");
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    public QTestBackendTests()
    {
        QTestBackend.PollFirst = TimeSpan.FromMilliseconds(5);
        QTestBackend.PollMax = TimeSpan.FromMilliseconds(20);
        QTestBackend.Environment = _ => null;
    }

    public void Dispose() => _dir.Dispose();

    private PublishRequest Request(TmsOptions options, IReadOnlyList<TestResultRecord>? results = null) =>
        TestPublishRequests.Create(RunFolder, options, results ?? Sample(), RunId, "Tests: automated test run 2026-05-06 07:08 UTC");

    private static List<TestResultRecord> Sample()
    {
        var failed = Result("Acme.Tests.Login.Wrong", TestOutcome.Failed, keys: ["TC-2"], defects: ["BUG-9"], sequence: 2);
        failed.ErrorMessage = "Expected 3 but was 4";
        return [Result("Acme.Tests.Login.Valid", keys: ["TC-1", "DEMO-1"], covers: ["RQ-4", "DEMO-100"], sequence: 1), failed,
            Result("Acme.Tests.Other.NoKey", sequence: 3)];
    }

    private static TmsOptions Options(FakeQTest q, bool token = true, params (string Name, string Value)[] extra)
    {
        var layer = new ConfigurationLayer("test").Add("target", "qtest").Add("baseUrl", q.BaseUrl.ToString()).Add("project", q.Project).Add("timeout", "30");
        foreach (var (name, value) in extra) layer.Add(name, value);
        var env = new ConfigurationLayer("environment", allowsSecrets: true);
        if (token) env.Add("token", q.ApiToken);
        else { env.Add("password", q.Password); layer.Add("user", q.User); }
        var options = ConfigurationResolver.Resolve([env, layer]);
        Assert.Empty(options.Problems);
        return options;
    }

    private static JsonObject Log(FakeQTest q, string content) =>
        q.Submits.SelectMany(s => s["test_logs"]!.AsArray()).Select(l => l!.AsObject()).Single(l => (string?)l["automation_content"] == content);

    [Fact]
    public async Task Keys_resolve_in_one_search_logs_carry_each_cases_Automation_Content_and_requirements_are_linked()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q)), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(q.SchemaProblems);
        Assert.Equal(["POST search", "POST test-cycles", "POST auto-test-logs", "GET queue-processing/900", "GET queue-processing/900", "POST search", "POST requirements/404/link"], q.Calls);
        Assert.All(q.Requests, r => Assert.Equal("Bearer " + q.ApiToken, r.Authorization));
        Assert.DoesNotContain(q.Requests, r => r.Query.Contains(q.ApiToken));

        var cycle = Assert.Single(q.Cycles);
        Assert.Equal("Tests: automated test run 2026-05-06 07:08 UTC (" + RunId + ")", (string?)cycle["name"]);
        Assert.Contains("TmsBridge run " + RunId, (string?)cycle["description"]);
        Assert.Equal("CL-40", report.Execution!.Key);
        Assert.Equal("7040", report.Execution.Id);
        var submit = Assert.Single(q.Submits);
        Assert.Equal("7040", (string?)submit["test_cycle"]);
        Assert.Equal("PASS", (string?)Log(q, "Acme.Tests.Login.Valid")["status"]);
        var wrong = Log(q, "Acme.Tests.Login.Wrong");
        Assert.Equal("FAIL", (string?)wrong["status"]);
        Assert.Equal(["BUG-9"], wrong["defect_pids"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(2, submit["test_logs"]!.AsArray().Count); // the unkeyed test is not sent
        var link = Assert.Single(q.Links);
        Assert.Equal(404L, link.Requirement);
        Assert.Equal([101L], link.Cases);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
        // Another system's keys and requirement keys (DEMO-1, DEMO-100) are left out quietly.
        Assert.DoesNotContain(q.Requests, r => r.Body.Contains("DEMO-"));
        Assert.DoesNotContain(report.Warnings, w => w.Contains("DEMO-"));
        Assert.Equal(["TC-1", "TC-2"], report.Keys.Select(k => k.Key));
    }

    [Fact]
    public async Task An_unknown_PID_and_a_manual_case_are_refused_per_key_with_guidance()
    {
        using var q = new FakeQTest();
        var results = new List<TestResultRecord>
        {
            Result("Acme.Tests.Login.Valid", keys: ["TC-1"], sequence: 1),
            Result("Acme.Tests.Shop.Checkout", keys: ["TC-3"], sequence: 2),
            Result("Acme.Tests.Shop.Gone", keys: ["TC-99"], sequence: 3),
        };
        var report = await Publisher.PublishAsync(Request(Options(q), results), _output, Ct);

        Assert.Empty(q.SchemaProblems);
        Assert.Equal(KeyStates.Sent, report.FindKey("TC-1")!.State);
        var manual = report.FindKey("TC-3")!;
        Assert.Equal(KeyStates.Refused, manual.State);
        Assert.Contains("not automated", manual.Messages.Single());
        Assert.Contains("adoptManualCases=true", manual.Messages.Single());
        var unknown = report.FindKey("TC-99")!;
        Assert.Equal(KeyStates.Refused, unknown.State);
        Assert.Contains("TC-99 does not exist in qTest project 12345", unknown.Messages.Single());
        // No keyed test ever creates a test case: only TC-1's log went out.
        Assert.Equal(["Acme.Tests.Login.Valid"], q.Submits.SelectMany(s => s["test_logs"]!.AsArray()).Select(l => (string?)l!["automation_content"]));
        Assert.Single(q.Calls, c => c == "POST search");
    }

    [Fact]
    public async Task adoptManualCases_marks_the_case_automated_with_the_tests_name_then_sends_it()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("adoptManualCases", "true")), [Result("Acme.Tests.Shop.Checkout", keys: ["TC-3"])]), _output, Ct);

        Assert.Empty(q.SchemaProblems);
        Assert.Equal(KeyStates.Sent, report.FindKey("TC-3")!.State);
        Assert.Contains(q.Calls, c => c == "PUT test-cases/103");
        Assert.Equal(new FakeQTest.Case(103, "TC-3", "Manual checkout", true, "Acme.Tests.Shop.Checkout"), q.Cases[2]);
        Assert.Equal("PASS", (string?)Log(q, "Acme.Tests.Shop.Checkout")["status"]);
        Assert.Contains(report.Warnings, w => w.Contains("TC-3") && w.Contains("adoptManualCases"));
    }

    [Fact]
    public async Task testExecution_reports_into_the_given_cycle_without_creating_one()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("testExecution", "CL-7"))), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Empty(q.Cycles);
        Assert.Equal("CL-7", (string?)Assert.Single(q.Submits)["test_cycle"]);
        Assert.True(report.Execution!.Reused);
    }

    [Fact]
    public async Task testCycleParent_as_a_release_PID_is_resolved_and_the_cycle_created_under_it()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("testCycleParent", "RL-3"), ("summary", "Nightly"))), _output, Ct);

        Assert.Empty(report.Errors);
        var create = q.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/test-cycles", StringComparison.Ordinal));
        Assert.Equal("?parentId=303&parentType=release", create.Query);
        Assert.Equal("Nightly", (string?)Assert.Single(q.Cycles)["name"]);
    }

    [Fact]
    public async Task A_FAILED_job_refuses_every_key_of_its_submit_with_qTests_words()
    {
        using var q = new FakeQTest { FailJobsWith = "Status 'FAIL' is not mapped in Automation Settings" };
        var report = await Publisher.PublishAsync(Request(Options(q)), _output, Ct);

        Assert.All(report.Keys, k =>
        {
            Assert.Equal(KeyStates.Refused, k.State);
            Assert.Contains("Status 'FAIL' is not mapped in Automation Settings", string.Join(" ", k.Messages));
        });
        Assert.Empty(q.Links); // links only after success
    }

    [Fact]
    public async Task maxRequestBytes_splits_the_logs_into_several_submits_each_polled()
    {
        using var q = new FakeQTest();
        var results = Enumerable.Range(1, 2).Select(i => Result("Acme.Tests.Login." + (i == 1 ? "Valid" : "Wrong"), keys: ["TC-" + i], sequence: i)).ToList();
        foreach (var r in results) r.ErrorMessage = new string('x', 1500);
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("maxRequestBytes", "2KB")), results), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(2, q.Submits.Count);
        Assert.Contains("GET queue-processing/900", q.Calls);
        Assert.Contains("GET queue-processing/901", q.Calls);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task A_lost_submit_answer_is_never_resent_blind_and_its_keys_are_reported_unknown()
    {
        using var q = new FakeQTest { LoseSubmitAnswers = 1 };
        var report = await Publisher.PublishAsync(Request(Options(q)), _output, Ct);

        Assert.Single(q.Submits);
        Assert.Single(q.Calls, c => c == "POST auto-test-logs");
        Assert.All(report.Keys, k =>
        {
            Assert.Equal(KeyStates.NotSent, k.State);
            Assert.Contains("unknown: the answer to the submit was lost", string.Join(" ", k.Messages));
        });
    }

    [Fact]
    public async Task A_lost_cycle_create_answer_is_found_by_the_run_marker_not_created_twice()
    {
        using var q = new FakeQTest { LoseCreateAnswers = 1 };
        var report = await Publisher.PublishAsync(Request(Options(q)), _output, Ct);

        Assert.Single(q.Cycles);
        Assert.Empty(report.Errors);
        Assert.Equal("CL-40", report.Execution!.Key);
        Assert.Contains(report.Warnings, w => w.Contains("found by its run marker"));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task User_and_password_log_in_once_with_the_site_header_and_log_in_again_once_on_401()
    {
        using var q = new FakeQTest { ExpireAccessTokenOnce = true };
        var report = await Publisher.PublishAsync(Request(Options(q, token: false)), _output, Ct);

        Assert.Empty(report.Errors);
        Assert.Equal(2, q.Calls.Count(c => c == "POST /oauth/token"));
        var login = q.Requests.First(r => r.Path == "/oauth/token");
        Assert.Contains("grant_type=password", login.Body);
        Assert.Equal("application/x-www-form-urlencoded", login.ContentType);
        Assert.DoesNotContain(q.Requests, r => r.Query.Contains(q.Password) || r.Query.Contains(q.AccessToken));
        Assert.DoesNotContain(q.Password, File.ReadAllText(Path.Combine(RunFolder, RunId + ".report.json")));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task provisionUnmapped_sends_unkeyed_tests_with_their_name_as_Automation_Content()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("provisionUnmapped", "true"))), _output, Ct);

        Assert.Empty(q.SchemaProblems);
        var log = Log(q, "Acme.Tests.Other.NoKey");
        Assert.Equal(["Acme", "Tests", "Other"], log["module_names"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(KeyStates.Sent, report.Unmapped.Single().State);
    }

    [Fact]
    public async Task A_413_names_maxRequestBytes()
    {
        using var q = new FakeQTest { SizeLimit = 100 };
        var report = await Publisher.PublishAsync(Request(Options(q)), _output, Ct);

        Assert.Contains(report.Errors, e => e.Contains("413") && e.Contains("maxRequestBytes"));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
    }

    [Fact]
    public void A_key_like_project_and_missing_credentials_are_clear_errors()
    {
        var options = new TmsOptions { Target = "qtest", BaseUrl = new Uri("https://acme.qtestnet.com"), Project = "DEMO" };
        var problems = new QTestBackend().Validate(options).ToList();
        Assert.Contains(problems, p => p.Contains("project 'DEMO' is not a qTest project id"));
        Assert.Contains(problems, p => p.Contains("API & SDK"));
        options.For<QTestOptions>().TestCycleParent = "DEMO-1";
        Assert.Contains(new QTestBackend().Validate(options), p => p.Contains("testCycleParent 'DEMO-1'"));
    }

    [Fact]
    public async Task dryRun_writes_the_submit_without_sending()
    {
        using var q = new FakeQTest();
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("dryRun", "true"))), _output, Ct);

        Assert.Empty(q.Requests);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Planned, k.State));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(RunFolder, RunId + ".dryrun"), "qtest-*.json"));
        Assert.Contains("<Automation Content of TC-1>", File.ReadAllText(file));
    }

    [Fact]
    public async Task The_submit_matches_its_golden_file_and_validates_against_the_Swagger()
    {
        using var q = new FakeQTest();
        QTestBackend.Environment = n => n switch { "BUILD_NUMBER" => "42", "BUILD_URL" => "https://ci.example/job/42/", _ => null };
        await Publisher.PublishAsync(Request(Options(q, true, ("testExecution", "CL-7"))), _output, Ct);

        var submit = q.Requests.Single(r => r.Path.EndsWith("/auto-test-logs", StringComparison.Ordinal));
        Assert.Empty(TmsBridge.Sandbox.QTest.QTestSwagger.Problems("AutomationRequest", submit.Body));
        Golden.AssertMatches("qtest-submit", submit.Body);
    }

    [Fact]
    public async Task A_wrong_token_is_a_clear_401_that_names_the_option_and_leaks_nothing()
    {
        using var q = new FakeQTest();
        var options = Options(q);
        options.Token = "wrong-token-0123456789";
        var report = await Publisher.PublishAsync(Request(options), _output, Ct);

        Assert.Contains(report.Errors, e => e.Contains("401") && e.Contains("API & SDK") && e.Contains("TMS_TOKEN"));
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.NotSent, k.State));
        Assert.Single(q.Requests); // the first 401 stops the run
        Assert.DoesNotContain("wrong-token-0123456789", File.ReadAllText(Path.Combine(RunFolder, RunId + ".report.json")));
    }

    [Fact]
    public async Task statusMap_overrides_the_automation_values_sent()
    {
        using var q = new FakeQTest();
        await Publisher.PublishAsync(Request(Options(q, true, ("statusMap", "Passed=PASSED;Failed=FAILED"))), _output, Ct);

        Assert.Equal("PASSED", (string?)Log(q, "Acme.Tests.Login.Valid")["status"]);
        Assert.Equal("FAILED", (string?)Log(q, "Acme.Tests.Login.Wrong")["status"]);
    }

    [Fact]
    public async Task Evidence_goes_base64_with_its_type_and_a_log_too_large_for_maxRequestBytes_goes_without_it_reported()
    {
        using var q = new FakeQTest();
        var folder = _dir.Combine("evidence");
        Directory.CreateDirectory(folder);
        var small = Path.Combine(folder, "small.txt");
        File.WriteAllText(small, "hello");
        var big = Path.Combine(folder, "big.bin");
        File.WriteAllBytes(big, new byte[4096]);
        var withSmall = Result("Acme.Tests.Login.Valid", keys: ["TC-1"], sequence: 1);
        withSmall.Attachments.Add(new EvidenceFile { Path = small, FileName = "small.txt", ContentType = "text/plain", Size = 5 });
        var withBig = Result("Acme.Tests.Login.Wrong", keys: ["TC-2"], sequence: 2);
        withBig.Attachments.Add(new EvidenceFile { Path = big, FileName = "big.bin", ContentType = "application/octet-stream", Size = 4096 });
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("maxRequestBytes", "2KB")), [withSmall, withBig]), _output, Ct);

        Assert.Empty(q.SchemaProblems);
        var attachment = Log(q, "Acme.Tests.Login.Valid")["attachments"]![0]!;
        Assert.Equal("small.txt", (string?)attachment["name"]);
        Assert.Equal("text/plain", (string?)attachment["content_type"]);
        Assert.Equal("aGVsbG8=", (string?)attachment["data"]);
        Assert.Null(Log(q, "Acme.Tests.Login.Wrong")["attachments"]);
        var skipped = Assert.Single(report.SkippedEvidence);
        Assert.Equal(("TC-2", "big.bin"), (skipped.Key, skipped.File));
        Assert.Contains("maxRequestBytes", skipped.Reason);
        Assert.All(report.Keys, k => Assert.Equal(KeyStates.Sent, k.State));
    }

    [Fact]
    public async Task A_job_whose_state_cannot_be_read_is_given_up_with_its_keys_unknown_not_resent()
    {
        using var q = new FakeQTest { QueueUnavailable = true };
        var report = await Publisher.PublishAsync(Request(Options(q, true, ("maxRetries", "1"))), _output, Ct);

        Assert.Single(q.Submits);
        Assert.Equal(QTestBackend.MaxFailedPolls * 2, q.Calls.Count(c => c.StartsWith("GET queue-processing/", StringComparison.Ordinal))); // each look retried once
        Assert.All(report.Keys, k =>
        {
            Assert.Equal(KeyStates.NotSent, k.State);
            Assert.Contains("unknown: qTest queued job 900 but its state could not be read", string.Join(" ", k.Messages));
        });
    }
}

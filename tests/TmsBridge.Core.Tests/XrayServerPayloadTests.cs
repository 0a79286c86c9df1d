using System.Text;
using System.Text.Json.Nodes;
using TmsBridge.Backends.Xray;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Keys;
using TmsBridge.Mapping;
using TmsBridge.Model;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// The Xray Server/DC import body, pinned by golden files under Golden/ (TMS_UPDATE_GOLDEN=1 rewrites
/// them) and checked against the transcribed DC schema. Timestamps are fixed (+00:00) and evidence is
/// sent as base64 + file name (no paths), so the goldens do not depend on the machine.
/// </summary>
public sealed class XrayPayloadTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    private static readonly byte[] LogBytes = Encoding.UTF8.GetBytes("line 1\nline 2 é\n");

    private EvidenceFile Evidence(string folder, string name, byte[] bytes) => new()
    {
        Path = _dir.File(Path.Combine(folder, name), bytes),
        FileName = name,
        ContentType = ContentTypes.FromFileName(name),
        Size = bytes.Length,
    };

    private static TestResultRecord Timed(TestResultRecord r, int startSecond, int seconds)
    {
        r.StartTime = T0.AddSeconds(startSecond);
        r.EndTime = T0.AddSeconds(startSecond + seconds);
        r.DurationMs = seconds * 1000;
        return r;
    }

    private static (byte[] Body, List<string> Warnings) Build(TmsOptions options, AggregatedRun run, bool provision = false)
    {
        var warnings = new List<string>();
        var body = XrayPayload.Build(new XrayPayload.Input
        {
            Options = options,
            Keyed = run.Keyed,
            Provisioned = provision ? run.Unmapped : [],
            Statuses = new StatusMap(StatusMap.XrayServerDefaults, options.StatusOverrides),
            RunStarted = T0,
            RunFinished = T0.AddMinutes(5),
            DefaultSummary = "My.Tests: automated test run 2026-05-06 07:08 UTC",
        }, warnings);
        return (body, warnings);
    }

    private static JsonObject Parse(byte[] body) => JsonNode.Parse(body)!.AsObject();

    private List<TestResultRecord> FullRun()
    {
        var valid = Timed(Result("Ns.LoginTests.Valid_user_logs_in", keys: ["DEMO-1"], covers: ["DEMO-100"], sequence: 1), 0, 2);
        valid.Attachments = [Evidence("r1", "screen.png", PngBytes), Evidence("r1", "server.log", LogBytes)];
        valid.StandardOutput = "logged in as alice";

        var bob = Timed(Result("Ns.LoginTests.Locked_user_is_refused(\"bob\")", displayName: "Locked_user_is_refused(\"bob\")", keys: ["DEMO-2"], defects: ["DEMO-77"], sequence: 2), 2, 1)
            .WithParameters(("arg1", "bob"));
        bob.Attachments = [Evidence("r2", "screen.png", [1, 2, 3])];
        var eve = Timed(Result("Ns.LoginTests.Locked_user_is_refused(\"eve\")", TestOutcome.Failed, displayName: "Locked_user_is_refused(\"eve\")", keys: ["DEMO-2"], defects: ["DEMO-77"], sequence: 3), 3, 1)
            .WithParameters(("arg1", "eve"));
        eve.ErrorMessage = "Expected: refused\nBut was: {noformat} logged in";
        eve.ErrorStackTrace = "   at Ns.LoginTests.Locked_user_is_refused(String user) in LoginTests.cs:line 42";
        eve.Attachments = [Evidence("r3", "screen.png", [4, 5, 6])];

        var first = Timed(Result("Ns.CartTests.Adds_item", keys: ["DEMO-3"], sequence: 4), 5, 1);
        var second = Timed(Result("Ns.CheckoutTests.Pays", TestOutcome.Skipped, keys: ["demo-3"], sequence: 5), 6, 1);
        return [valid, bob, eve, first, second];
    }

    private static TmsOptions NewExecutionOptions() => new()
    {
        Target = "xray",
        Project = "DEMO",
        Summary = "Nightly regression",
        Description = "Run by CI job 1234",
        Version = "1.2.0",
        Revision = "abc1234",
        TestPlan = "DEMO-50",
        Environments = ["linux", "chrome"],
    };

    [Fact]
    public void New_execution_with_info_evidence_iterations_requirements_and_defects()
    {
        var results = FullRun();
        var (body, warnings) = Build(NewExecutionOptions(), Aggregator.Aggregate(results, KeyRule.JiraIssueKey));

        Golden.AssertMatches("xray-server-new-execution", body);
        XraySchemaCheck.AssertValid(body);
        Assert.Empty(warnings);

        var root = Parse(body);
        Assert.Null(root["testExecutionKey"]);
        var info = root["info"]!.AsObject();
        Assert.Equal("DEMO", (string?)info["project"]);
        Assert.Equal("2026-05-06T07:08:09+00:00", (string?)info["startDate"]);
        Assert.Equal("DEMO-50", (string?)info["testPlanKey"]);
        Assert.Equal(["linux", "chrome"], info["testEnvironments"]!.AsArray().Select(e => (string?)e));

        var tests = root["tests"]!.AsArray().Select(t => t!.AsObject()).ToDictionary(t => (string)t["testKey"]!);
        Assert.Equal(["DEMO-1", "DEMO-2", "DEMO-3"], tests.Keys);

        // Evidence: base64 of the exact bytes, file name only, DC spelling "evidences".
        var evidence = tests["DEMO-1"]["evidences"]!.AsArray();
        Assert.Equal(PngBytes, Convert.FromBase64String((string)evidence[0]!["data"]!));
        Assert.Equal("screen.png", (string?)evidence[0]!["filename"]);
        Assert.Equal("image/png", (string?)evidence[0]!["contentType"]);
        Assert.Equal(LogBytes, Convert.FromBase64String((string)evidence[1]!["data"]!));
        Assert.DoesNotContain(_dir.Path, Encoding.UTF8.GetString(body));
        Assert.Null(tests["DEMO-1"]["evidence"]);
        Assert.Null(tests["DEMO-1"]["iterations"]);
        Assert.Equal("PASS", (string?)tests["DEMO-1"]["status"]);

        // Requirements travel in testInfo (Generic, definition = test name).
        var testInfo = tests["DEMO-1"]["testInfo"]!.AsObject();
        Assert.Equal("DEMO", (string?)testInfo["projectKey"]);
        Assert.Equal("Valid_user_logs_in", (string?)testInfo["summary"]);
        Assert.Equal("Generic", (string?)testInfo["testType"]);
        Assert.Equal("Ns.LoginTests.Valid_user_logs_in", (string?)testInfo["definition"]);
        Assert.Equal(["DEMO-100"], testInfo["requirementKeys"]!.AsArray().Select(e => (string?)e));

        // Data rows: iterations with parameters, worst status, failure in {noformat}, defects, same-name evidence kept apart.
        var rows = tests["DEMO-2"];
        Assert.Equal("FAIL", (string?)rows["status"]);
        Assert.Equal(["DEMO-77"], rows["defects"]!.AsArray().Select(e => (string?)e));
        var iterations = rows["iterations"]!.AsArray();
        Assert.Equal(["PASS", "FAIL"], iterations.Select(i => (string?)i!["status"]));
        Assert.Equal("eve", (string?)iterations[1]!["parameters"]![0]!["value"]);
        var comment = (string)rows["comment"]!;
        Assert.Contains("{noformat}Expected: refused", comment);
        Assert.Contains("line 42{noformat}", comment);
        Assert.DoesNotContain("But was: {noformat}", comment); // a {noformat} inside the text cannot end the block
        Assert.Equal(["screen.png", "3-screen.png"], rows["evidences"]!.AsArray().Select(e => (string?)e!["filename"]));
        Assert.Equal(new byte[] { 4, 5, 6 }, Convert.FromBase64String((string)rows["evidences"]![1]!["data"]!));
        Assert.Null(rows["testInfo"]);

        // Two tests sharing a key: iterations carry a "test" parameter; the worst status wins.
        var shared = tests["DEMO-3"];
        Assert.Equal("TODO", (string?)shared["status"]);
        Assert.Equal(["Adds_item", "Pays"], shared["iterations"]!.AsArray().Select(i => (string?)i!["parameters"]![0]!["value"]));
        Assert.Equal("test", (string?)shared["iterations"]![0]!["parameters"]![0]!["name"]);
    }

    [Fact]
    public void Evidence_missing_from_the_run_folder_is_a_warning_and_the_result_is_still_sent()
    {
        var r = Timed(Result("Ns.C.M", keys: ["DEMO-1"]), 0, 1);
        var kept = Evidence("e", "kept.txt", LogBytes);
        var gone = Evidence("e", "gone.png", PngBytes);
        File.Delete(gone.Path);
        r.Attachments = [kept, gone];

        var (body, warnings) = Build(NewExecutionOptions(), Aggregator.Aggregate([r], KeyRule.JiraIssueKey));

        var test = Parse(body)["tests"]![0]!;
        Assert.Equal("PASS", (string?)test["status"]);
        Assert.Equal("kept.txt", (string?)Assert.Single(test["evidences"]!.AsArray())!["filename"]);
        Assert.Contains(warnings, w => w.Contains("gone.png") && w.Contains("missing"));
    }

    [Fact]
    public void Reuse_of_an_execution_sends_only_the_fields_the_user_set()
    {
        var options = new TmsOptions { Target = "xray", TestExecution = "DEMO-9", Version = "1.3.0", Environments = ["staging"] };
        var run = Aggregator.Aggregate([Timed(Result("Ns.C.M", keys: ["DEMO-1"], sequence: 1), 0, 1)], KeyRule.JiraIssueKey);
        var (body, _) = Build(options, run);

        Golden.AssertMatches("xray-server-reuse-execution", body);
        XraySchemaCheck.AssertValid(body);
        var root = Parse(body);
        Assert.Equal("DEMO-9", (string?)root["testExecutionKey"]);
        var info = root["info"]!.AsObject();
        Assert.Equal(["version", "testEnvironments"], info.Select(p => p.Key));
    }

    [Fact]
    public void Reuse_without_user_set_fields_sends_no_info()
    {
        var options = new TmsOptions { Target = "xray", TestExecution = "DEMO-9", Project = "DEMO" };
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-1"], sequence: 1)], KeyRule.JiraIssueKey);
        var (body, _) = Build(options, run);
        XraySchemaCheck.AssertValid(body);
        Assert.Null(Parse(body)["info"]);
    }

    [Fact]
    public void New_execution_without_a_summary_uses_the_default_and_the_project_of_the_first_key()
    {
        var run = Aggregator.Aggregate([Result("Ns.C.M", keys: ["SHOP-4"], sequence: 1)], KeyRule.JiraIssueKey);
        var (body, _) = Build(new TmsOptions { Target = "xray" }, run);
        XraySchemaCheck.AssertValid(body);
        var info = Parse(body)["info"]!;
        Assert.Equal("SHOP", (string?)info["project"]);
        Assert.Equal("My.Tests: automated test run 2026-05-06 07:08 UTC", (string?)info["summary"]);
        // The run's span when results carry no times.
        Assert.Equal("2026-05-06T07:13:09+00:00", (string?)info["finishDate"]);
    }

    [Fact]
    public void ProvisionUnmapped_sends_tests_without_a_key_with_testInfo()
    {
        var options = new TmsOptions { Target = "xray", Project = "DEMO", ProvisionUnmapped = true };
        var results = new List<TestResultRecord>
        {
            Timed(Result("Ns.C.Keyed", keys: ["DEMO-1"], sequence: 1), 0, 1),
            Timed(Result("Ns.C.NoKey", TestOutcome.Failed, covers: ["DEMO-100"], defects: ["DEMO-77"], sequence: 2), 1, 1),
            Timed(Result("Ns.C.Rows(1)", displayName: "Rows(1)", sequence: 3), 2, 1).WithParameters(("arg1", "1")),
            Timed(Result("Ns.C.Rows(2)", displayName: "Rows(2)", sequence: 4), 3, 1).WithParameters(("arg1", "2")),
        };
        results[1].ErrorMessage = "boom";
        var (body, _) = Build(options, Aggregator.Aggregate(results, KeyRule.JiraIssueKey), provision: true);

        Golden.AssertMatches("xray-server-provision-unmapped", body);
        XraySchemaCheck.AssertValid(body);
        var tests = Parse(body)["tests"]!.AsArray();
        Assert.Equal(3, tests.Count);
        var noKey = tests[1]!;
        Assert.Null(noKey["testKey"]);
        Assert.Equal("FAIL", (string?)noKey["status"]);
        Assert.Equal("Ns.C.NoKey", (string?)noKey["testInfo"]!["definition"]);
        Assert.Equal("NoKey", (string?)noKey["testInfo"]!["summary"]);
        Assert.Equal(["DEMO-100"], noKey["testInfo"]!["requirementKeys"]!.AsArray().Select(e => (string?)e));
        Assert.Equal(["DEMO-77"], noKey["defects"]!.AsArray().Select(e => (string?)e));
        var rows = tests[2]!;
        Assert.Equal("Ns.C.Rows", (string?)rows["testInfo"]!["definition"]);
        Assert.Equal(2, rows["iterations"]!.AsArray().Count);
    }

    [Fact]
    public void ProvisionUnmapped_into_an_existing_execution_without_project_option_names_a_project()
    {
        var options = new TmsOptions { Target = "xray", TestExecution = "DEMO-9", ProvisionUnmapped = true };
        var (body, _) = Build(options, Aggregator.Aggregate([Result("Ns.C.NoKey", sequence: 1)], KeyRule.JiraIssueKey), provision: true);
        XraySchemaCheck.AssertValid(body);
    }

    [Fact]
    public void More_than_20_parameters_are_trimmed_with_a_warning()
    {
        var parameters = Enumerable.Range(1, 23).Select(i => ($"p{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var row = Timed(Result("Ns.C.Wide(...)", displayName: "Wide(...)", keys: ["DEMO-5"], sequence: 1), 0, 1).WithParameters(parameters);
        var (body, warnings) = Build(new TmsOptions { Target = "xray", Project = "DEMO" }, Aggregator.Aggregate([row], KeyRule.JiraIssueKey));

        Golden.AssertMatches("xray-server-parameters-trimmed", body);
        XraySchemaCheck.AssertValid(body);
        var sent = Parse(body)["tests"]![0]!["iterations"]![0]!["parameters"]!.AsArray();
        Assert.Equal(20, sent.Count);
        Assert.Equal("p20", (string?)sent[19]!["name"]);
        var w = Assert.Single(warnings);
        Assert.Contains("DEMO-5", w);
        Assert.Contains("23 parameters", w);
        Assert.Contains("first 20", w);
    }

    [Fact]
    public void Plain_results_in_an_iteration_get_an_iteration_number()
    {
        // One plain test run under two target frameworks (no arguments): iterations numbered so parameters are never empty.
        // (It pinned a retried test, the same name twice; a retry now counts once, attempts=last: see ReplayTests.)
        var net8 = Result("Ns.C.Flaky", TestOutcome.Failed, keys: ["DEMO-6"], sequence: 1);
        var net9 = Result("Ns.C.Flaky", keys: ["DEMO-6"], sequence: 2);
        (net8.TargetFramework, net9.TargetFramework) = ("net8.0", "net9.0");
        var run = Aggregator.Aggregate([net8, net9], KeyRule.JiraIssueKey);
        var (body, _) = Build(new TmsOptions { Target = "xray", Project = "DEMO" }, run);
        XraySchemaCheck.AssertValid(body);
        var iterations = Parse(body)["tests"]![0]!["iterations"]!.AsArray();
        Assert.Equal(["1", "2"], iterations.Select(i => (string?)i!["parameters"]![0]!["value"]));
        Assert.Equal("iteration", (string?)iterations[0]!["parameters"]![0]!["name"]);
    }

    [Fact]
    public void Status_overrides_reach_the_payload()
    {
        var options = new TmsOptions { Target = "xray", Project = "DEMO" };
        options.StatusOverrides[TestOutcome.Skipped] = "ABORTED";
        var (body, _) = Build(options, Aggregator.Aggregate([Result("Ns.C.M", TestOutcome.Skipped, keys: ["DEMO-1"], sequence: 1)], KeyRule.JiraIssueKey));
        Assert.Equal("ABORTED", (string?)Parse(body)["tests"]![0]!["status"]);
    }

    [Fact]
    public void LinkRequirements_false_sends_no_testInfo()
    {
        var options = new TmsOptions { Target = "xray", Project = "DEMO", LinkRequirements = false };
        var (body, _) = Build(options, Aggregator.Aggregate([Result("Ns.C.M", keys: ["DEMO-1"], covers: ["DEMO-100"], sequence: 1)], KeyRule.JiraIssueKey));
        XraySchemaCheck.AssertValid(body);
        Assert.Null(Parse(body)["tests"]![0]!["testInfo"]);
    }

    [Fact]
    public void The_schema_check_catches_what_it_is_meant_to_catch()
    {
        // Guard against a check that passes everything: each broken payload must be reported.
        Assert.Contains(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","colour":"red"}]}"""), p => p.Contains("colour") || p.Contains("additionalProperties"));
        Assert.NotEmpty(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1"}]}""")); // status required
        Assert.NotEmpty(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[]}""")); // minItems 1
        Assert.NotEmpty(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","start":"yesterday"}]}""")); // date-time
        Assert.NotEmpty(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","evidences":[{"data":"AA=="}]}]}""")); // filename required (after the rename)
        Assert.Contains(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","iterations":[{"status":"PASS","parameters":[{"name":"a","value":"1"}]}],"steps":[{"status":"PASS"}]}]}"""), p => p.Contains("mutually exclusive"));
        Assert.Contains(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","evidence":[],"evidences":[]}]}"""), p => p.Contains("mutually exclusive"));
        Assert.Contains(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"status":"PASS","testInfo":{"projectKey":"D","summary":"s","testType":"Generic","definition":"d","scenario":"x"}}]}"""), p => p.Contains("mutually exclusive"));
        Assert.Empty(XraySchemaCheck.Problems("""{"info":{"project":"D"},"tests":[{"testKey":"D-1","status":"PASS","evidences":[{"data":"AA==","filename":"a.txt"}]}]}"""));
    }
}

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
/// The Xray Cloud spelling of the import body (XrayDialect.Cloud), pinned by a golden file and
/// validated against the official Cloud schema; and the streamed base64 of evidence files.
/// </summary>
public sealed class XrayCloudPayloadTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private static readonly byte[] PngBytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

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

    private static XrayPayload.Input Input(TmsOptions options, AggregatedRun run, bool provision = false, XrayDialect? dialect = null) => new()
    {
        Dialect = dialect ?? XrayDialect.Cloud,
        Options = options,
        Keyed = run.Keyed,
        Provisioned = provision ? run.Unmapped : [],
        Statuses = new StatusMap((dialect ?? XrayDialect.Cloud).DefaultStatuses, options.StatusOverrides),
        RunStarted = T0,
        RunFinished = T0.AddMinutes(5),
        DefaultSummary = "My.Tests: automated test run 2026-05-06 07:08 UTC",
        RunMarker = TmsBridge.Backends.Kit.RunMarker.Of("20260506T070809Z-ab12cd34"),
    };

    private List<TestResultRecord> CloudRun()
    {
        var valid = Timed(Result("Ns.LoginTests.Valid_user_logs_in", keys: ["DEMO-1"], covers: ["DEMO-100"], sequence: 1), 0, 2);
        valid.Attachments = [Evidence("r1", "screen.png", PngBytes), Evidence("r1", "server.log", Encoding.UTF8.GetBytes("line 1\nline 2 é\n"))];

        var bob = Timed(Result("Ns.LoginTests.Locked_user_is_refused(\"bob\")", displayName: "Locked_user_is_refused(\"bob\")", keys: ["DEMO-2"], defects: ["DEMO-77"], sequence: 2), 2, 1)
            .WithParameters(("user", "bob"));
        var eve = Timed(Result("Ns.LoginTests.Locked_user_is_refused(\"eve\")", TestOutcome.Failed, displayName: "Locked_user_is_refused(\"eve\")", keys: ["DEMO-2"], defects: ["DEMO-77"], sequence: 3), 3, 1)
            .WithParameters(("user", "eve"));
        eve.ErrorMessage = "Expected: refused\nBut was: logged in";
        eve.ErrorStackTrace = "   at Ns.LoginTests.Locked_user_is_refused(String user) in LoginTests.cs:line 42";
        eve.Attachments = [Evidence("r3", "screen.png", [4, 5, 6])];

        var skipped = Timed(Result("Ns.CartTests.Adds_item", TestOutcome.Skipped, keys: ["DEMO-3"], sequence: 4), 5, 0);
        var notRun = Timed(Result("Ns.CartTests.Removes_item", TestOutcome.NotRun, keys: ["DEMO-4"], sequence: 5), 5, 0);
        var untagged = Timed(Result("Ns.Other.Untagged_test", sequence: 6), 6, 1);
        return [valid, bob, eve, skipped, notRun, untagged];
    }

    private static TmsOptions NewExecutionOptions() => new()
    {
        Target = "xray-cloud",
        Project = "DEMO",
        Summary = "Nightly regression",
        Description = "Run by CI job 1234",
        Version = "1.2.0",
        Revision = "abc1234",
        TestPlan = "DEMO-50",
        Environments = ["linux", "chrome"],
        ProvisionUnmapped = true,
    };

    [Fact]
    public void Cloud_new_execution_matches_the_golden_file_and_the_official_schema()
    {
        var warnings = new List<string>();
        var body = XrayPayload.Build(Input(NewExecutionOptions(), Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey), provision: true), warnings);

        Golden.AssertMatches("xray-cloud-new-execution", body);
        XrayCloudSchemaCheck.AssertValid(body);
        Assert.Empty(warnings);

        var root = JsonNode.Parse(body)!.AsObject();
        var info = root["info"]!.AsObject();
        Assert.Equal("DEMO", (string?)info["project"]);
        Assert.Equal("Run by CI job 1234\n\n(TmsBridge run 20260506T070809Z-ab12cd34)", (string?)info["description"]);
        Assert.Equal(["linux", "chrome"], info["testEnvironments"]!.AsArray().Select(e => (string?)e));

        var tests = root["tests"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var byKey = tests.Where(t => t["testKey"] is not null).ToDictionary(t => (string)t["testKey"]!);

        // Cloud spelling: "evidence" (never "evidences"), testInfo "type" (never "testType").
        Assert.All(tests, t => Assert.False(t.ContainsKey("evidences")));
        var evidence = byKey["DEMO-1"]["evidence"]!.AsArray();
        Assert.Equal(PngBytes, Convert.FromBase64String((string)evidence[0]!["data"]!));
        Assert.Equal(["screen.png", "server.log"], evidence.Select(e => (string?)e!["filename"]));
        Assert.Equal("Generic", (string?)byKey["DEMO-1"]["testInfo"]!["type"]);
        Assert.Null(byKey["DEMO-1"]["testInfo"]!["testType"]);
        Assert.Equal(["DEMO-100"], byKey["DEMO-1"]["testInfo"]!["requirementKeys"]!.AsArray().Select(r => (string?)r));

        // Cloud statuses.
        Assert.Equal("PASSED", (string?)byKey["DEMO-1"]["status"]);
        Assert.Equal("FAILED", (string?)byKey["DEMO-2"]["status"]);
        Assert.Equal("TODO", (string?)byKey["DEMO-3"]["status"]);
        Assert.Equal("ABORTED", (string?)byKey["DEMO-4"]["status"]);

        // Iterations carry a name, and the failure text as their log.
        var iterations = byKey["DEMO-2"]["iterations"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(["Locked_user_is_refused(\"bob\")", "Locked_user_is_refused(\"eve\")"], iterations.Select(i => (string?)i["name"]));
        Assert.Equal(["PASSED", "FAILED"], iterations.Select(i => (string?)i["status"]));
        Assert.Null(iterations[0]["log"]);
        Assert.Equal("Expected: refused\nBut was: logged in", (string?)iterations[1]["log"]);
        Assert.Equal("eve", (string?)iterations[1]["parameters"]![0]!["value"]);
        Assert.Equal([4, 5, 6], Convert.FromBase64String((string)byKey["DEMO-2"]["evidence"]![0]!["data"]!));

        // The provisioned test is found again by its definition.
        var provisioned = tests.Single(t => t["testKey"] is null);
        Assert.Equal("Ns.Other.Untagged_test", (string?)provisioned["testInfo"]!["definition"]);
        Assert.Equal("Generic", (string?)provisioned["testInfo"]!["type"]);
        Assert.Equal("DEMO", (string?)provisioned["testInfo"]!["projectKey"]);
    }

    [Fact]
    public void Server_and_Cloud_spell_the_same_run_differently()
    {
        var run = Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey);
        var cloud = JsonNode.Parse(XrayPayload.Build(Input(NewExecutionOptions(), run), []))!["tests"]![0]!;
        var server = JsonNode.Parse(XrayPayload.Build(Input(NewExecutionOptions(), run, dialect: XrayDialect.Server), []))!["tests"]![0]!;
        Assert.NotNull(cloud["evidence"]);
        Assert.NotNull(server["evidences"]);
        Assert.Equal("PASSED", (string?)cloud["status"]);
        Assert.Equal("PASS", (string?)server["status"]);
        Assert.NotNull(server["testInfo"]!["testType"]);
    }

    [Fact]
    public void The_Cloud_schema_check_catches_DC_spellings_and_mutual_exclusions()
    {
        // Proof that the checker bites: a DC body (testType in testInfo) is not a Cloud body...
        var run = Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey);
        var dc = XrayPayload.Build(Input(NewExecutionOptions(), run, dialect: XrayDialect.Server), []);
        Assert.Contains(XrayCloudSchemaCheck.Problems(Encoding.UTF8.GetString(dc)), p => p.Contains("/testInfo"));
        // ...and the draft-07 "dependencies" are enforced.
        Assert.NotEmpty(XrayCloudSchemaCheck.Problems("""
            {"tests":[{"testKey":"DEMO-1","status":"PASSED","evidence":[{"data":"AA==","filename":"a"}],"evidences":[{"data":"AA==","filename":"a"}]}]}
            """));
        Assert.NotEmpty(XrayCloudSchemaCheck.Problems("""{"tests":[{"testKey":"DEMO-1","status":"PASSED","start":"yesterday"}]}"""));
        Assert.NotEmpty(XrayCloudSchemaCheck.Problems("""{"tests":[]}"""));
        Assert.Empty(XrayCloudSchemaCheck.Problems("""{"tests":[{"testKey":"DEMO-1","status":"PASSED"}]}"""));
    }

    [Fact]
    public void An_import_into_an_existing_execution_carries_its_key_and_only_the_set_fields()
    {
        var options = new TmsOptions { Target = "xray-cloud", TestExecution = "DEMO-9", Revision = "abc" };
        var body = XrayPayload.Build(Input(options, Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey)), []);
        XrayCloudSchemaCheck.AssertValid(body);
        var root = JsonNode.Parse(body)!;
        Assert.Equal("DEMO-9", (string?)root["testExecutionKey"]);
        Assert.Equal(["revision"], root["info"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void A_continuation_repeats_status_and_iterations_but_not_testInfo()
    {
        var run = Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey);
        var input = Input(NewExecutionOptions(), run);
        var entries = XrayPayload.Entries(input, []);
        var demo1 = entries.Single(e => e.Name == "DEMO-1");
        var demo2 = entries.Single(e => e.Name == "DEMO-2");
        using var buffer = new MemoryStream();
        XrayPayload.Write(buffer, input, [demo1.WithEvidence([demo1.Evidence[1]], continuation: true), demo2.WithEvidence([], continuation: true)],
            new XrayPayload.Target { ExecutionKey = "DEMO-900", IncludeInfo = false }, []);
        var body = buffer.ToArray();
        XrayCloudSchemaCheck.AssertValid(body);

        var root = JsonNode.Parse(body)!;
        Assert.Null(root["info"]);
        Assert.Equal("DEMO-900", (string?)root["testExecutionKey"]);
        var first = root["tests"]![0]!;
        Assert.Equal("PASSED", (string?)first["status"]);
        Assert.Null(first["testInfo"]);
        Assert.Equal(["server.log"], first["evidence"]!.AsArray().Select(e => (string?)e!["filename"]));
        var second = root["tests"]![1]!;
        Assert.Equal("FAILED", (string?)second["status"]);
        Assert.Equal(2, second["iterations"]!.AsArray().Count); // a re-import resets iterations, so they travel again
        Assert.Null(second["evidence"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(49151)]
    [InlineData(49152)]       // exactly one 48 KB block
    [InlineData(49153)]
    [InlineData(98306)]       // two blocks and two bytes
    [InlineData(150001)]      // > 48 KB, not a multiple of 3
    public void Streamed_base64_decodes_to_exactly_the_files_bytes(int size)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var r = Result("Ns.C.Big", keys: ["DEMO-1"], sequence: 1);
        r.StartTime = T0;
        r.EndTime = T0.AddSeconds(1);
        r.Attachments = [Evidence("big", "blob.bin", bytes)];
        var body = XrayPayload.Build(Input(new TmsOptions { Target = "xray-cloud", Project = "DEMO" }, Aggregator.Aggregate([r], KeyRule.JiraIssueKey)), []);

        var data = (string)JsonNode.Parse(body)!["tests"]![0]!["evidence"]![0]!["data"]!;
        Assert.Equal((size + 2) / 3 * 4, data.Length);
        Assert.Equal(bytes, Convert.FromBase64String(data));
    }

    [Fact]
    public void Measured_size_plus_encoded_evidence_covers_the_written_entry()
    {
        var run = Aggregator.Aggregate(CloudRun(), KeyRule.JiraIssueKey);
        var input = Input(NewExecutionOptions(), run, provision: true);
        foreach (var entry in XrayPayload.Entries(input, []))
        {
            using var buffer = new MemoryStream();
            XrayPayload.Write(buffer, input, [entry], new XrayPayload.Target { ExecutionKey = "DEMO-9", IncludeInfo = false }, []);
            var written = buffer.Length - """{"testExecutionKey":"DEMO-9","tests":[]}""".Length;
            var estimate = XrayPayload.MeasureWithoutEvidence(entry, input) + entry.Evidence.Sum(e => e.EncodedSize);
            Assert.True(written <= estimate, $"{entry.Name}: wrote {written} bytes, planned {estimate}");
            if (entry.Evidence.Count == 0) Assert.Equal(written, XrayPayload.MeasureWithoutEvidence(entry, input));
        }
    }
}

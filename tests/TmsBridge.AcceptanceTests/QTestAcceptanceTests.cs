using System.Text;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.QTest;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// qTest Manager end to end: real `dotnet test` (VSTest, and MTP for the MTP samples) on the samples
/// against the sandbox's qTest emulator, whose every body is checked against the official Swagger.
/// The samples carry qTest test case ids (1001..1007 = TC-1..TC-7 in the sandbox's project 12345).
/// </summary>
public sealed class QTestAcceptanceTests(SampleRuns samples)
{
    private static readonly byte[] ScreenPng = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
    private static readonly byte[] LoginLog = Encoding.UTF8.GetBytes("user=alice logged in at 2026-01-01T09:00:00Z\n");
    private static readonly byte[] CheckoutLog = Encoding.UTF8.GetBytes("cart=42 subtotal=100.00 tax=missing\n");

    public static TheoryData<string> AllSamples => new(DemoCommand.Samples);
    public static TheoryData<string> MtpSamples => new("MSTestMtpSample", "XunitMtpSample");

    private static Dictionary<string, string?> Environment(Uri sandbox, params (string Name, string Value)[] extra)
    {
        var env = new Dictionary<string, string?>
        {
            ["TMS_TARGET"] = "qtest",
            ["TMS_BASE_URL"] = sandbox.ToString(),
            ["TMS_PROJECT"] = QTestStore.ProjectId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["TMS_TOKEN"] = QTestStore.ApiToken,
        };
        foreach (var (name, value) in extra) env[name] = value;
        return env;
    }

    private static readonly Dictionary<string, string> ExpectedStatuses = new()
    {
        ["TC-1"] = "PASS", ["TC-2"] = "PASS", ["TC-3"] = "FAIL", ["TC-4"] = "SKIP", ["TC-5"] = "PASS", ["TC-6"] = "PASS", ["TC-7"] = "PASS",
    };

    private static JsonElement QTest(JsonDocument state) => state.RootElement.GetProperty("qTest");

    private static JsonElement CreatedCycle(JsonDocument state) =>
        Assert.Single(QTest(state).GetProperty("cycles").EnumerateArray(), c => c.GetProperty("created").GetBoolean());

    private static JsonElement LastLog(JsonElement cycle, string testCase) =>
        cycle.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("testCase").GetString() == testCase).GetProperty("logs").EnumerateArray().Last();

    private static void AssertSampleLanded(JsonDocument state, SampleRun run, IReadOnlyDictionary<string, string> expected)
    {
        var cycle = CreatedCycle(state);
        Assert.EndsWith(" sample run", cycle.GetProperty("name").GetString()); // summary from the sample's tmsbridge.json
        Assert.Contains("TmsBridge run ", cycle.GetProperty("description").GetString());
        var runs = cycle.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(expected.OrderBy(p => p.Key), runs.ToDictionary(r => r.GetProperty("testCase").GetString()!, r => r.GetProperty("logs").EnumerateArray().Last().GetProperty("status").GetString()!).OrderBy(p => p.Key));
        // No keyed test ever creates a test case: every log landed on a seeded case by its Automation Content.
        Assert.DoesNotContain(QTest(state).GetProperty("testCases").EnumerateArray(), c => c.GetProperty("created").GetBoolean());

        var rows = LastLog(cycle, "TC-2").GetProperty("note").GetString()!;
        Assert.Contains("bob", rows);
        Assert.Contains("mallory", rows);
        Assert.Contains("expected total 107.00", LastLog(cycle, "TC-3").GetProperty("note").GetString());
        Assert.Equal(["DEMO-200"], Strings(LastLog(cycle, "TC-2"), "defectPids"));
        Assert.Equal(["DEMO-201"], Strings(LastLog(cycle, "TC-3"), "defectPids"));

        var evidence = LastLog(cycle, "TC-1").GetProperty("attachments").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a);
        Assert.Equal(SampleRuns.Sha256(ScreenPng), evidence["screen.png"].GetProperty("sha256").GetString());
        Assert.Equal("image/png", evidence["screen.png"].GetProperty("contentType").GetString());
        Assert.Equal(SampleRuns.Sha256(LoginLog), evidence["login-log.txt"].GetProperty("sha256").GetString());
        Assert.Equal(SampleRuns.Sha256(CheckoutLog), Assert.Single(LastLog(cycle, "TC-3").GetProperty("attachments").EnumerateArray()).GetProperty("sha256").GetString());

        // 1 search + 1 cycle + 1 submit + a few polls.
        using var report = run.Report();
        var requests = report.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("method").GetString() + " " + new Uri(r.GetProperty("url").GetString()!).AbsolutePath).ToList();
        Assert.Equal(1, requests.Count(r => r.EndsWith("/search", StringComparison.Ordinal)));
        Assert.Equal(1, requests.Count(r => r.EndsWith("/test-cycles", StringComparison.Ordinal)));
        Assert.Equal(1, requests.Count(r => r.EndsWith("/auto-test-logs", StringComparison.Ordinal)));
        Assert.InRange(requests.Count(r => r.Contains("/queue-processing/", StringComparison.Ordinal)), 2, 4);
        Assert.Equal(11, run.JournalResults());
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task Sample_run_lands_in_one_qTest_cycle_with_statuses_notes_defects_and_evidence(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var run = await samples.RunAsync(sample, Environment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(state, run, ExpectedStatuses);
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.DoesNotContain(QTest(state).GetProperty("jobs").EnumerateArray(), j => j.GetProperty("state").GetString() != "SUCCESS");
    }

    [Theory]
    [MemberData(nameof(MtpSamples))]
    public async Task Mtp_sample_run_lands_in_qTest_as_the_VSTest_run_does(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var run = await new MtpAcceptanceTests(samples).RunMtpSampleAsync(sample, Environment(sandbox.BaseAddress));

        Assert.True(run.Process.ExitCode == 2, run.Process.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(state, run, ExpectedStatuses);
    }

    [Fact]
    public async Task A_manual_test_case_is_refused_with_guidance_and_adopted_with_adoptManualCases()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        lock (sandbox.State.SyncRoot)
        {
            var tc4 = sandbox.State.QTest.Cases.Single(c => c.Pid == "TC-4");
            tc4.Automated = false;
            tc4.AutomationContent = null;
        }

        var refused = await samples.RunAsync("NUnitSample", Environment(sandbox.BaseAddress));
        Assert.Contains(refused.TmsLines, l => l.Contains("6 sent, 1 refused", StringComparison.Ordinal));
        Assert.Contains(refused.TmsLines, l => l.Contains("1004", StringComparison.Ordinal) && l.Contains("adoptManualCases=true", StringComparison.Ordinal));
        using (var state = await ReadAsync(sandbox.BaseAddress))
            Assert.DoesNotContain(CreatedCycle(state).GetProperty("runs").EnumerateArray(), r => r.GetProperty("testCase").GetString() == "TC-4");

        await using var second = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        lock (second.State.SyncRoot)
        {
            var tc4 = second.State.QTest.Cases.Single(c => c.Pid == "TC-4");
            tc4.Automated = false;
            tc4.AutomationContent = null;
        }
        var adopted = await samples.RunAsync("NUnitSample", Environment(second.BaseAddress, ("TMS_ADOPT_MANUAL_CASES", "true")));
        using var after = await ReadAsync(second.BaseAddress);
        AssertSampleLanded(after, adopted, ExpectedStatuses);
        var tc = QTest(after).GetProperty("testCases").EnumerateArray().Single(c => c.GetProperty("pid").GetString() == "TC-4");
        Assert.True(tc.GetProperty("automated").GetBoolean());
        Assert.Equal("NUnitSample.CheckoutTests.Gift_cards_are_accepted", tc.GetProperty("automationContent").GetString());
    }

    /// <summary>
    /// `tmsbridge publish` of a journal whose tests cover qTest requirements (RQ-n), under a release,
    /// split by a small maxRequestBytes: one cycle under RL-1, every submit polled, the links made.
    /// </summary>
    [Fact]
    public async Task Publish_links_requirements_creates_the_cycle_under_a_release_and_splits_the_submit()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var folder = Path.Combine(samples.WorkFolder, "qtest-journal");
        string journalPath;
        using (var journal = RunJournal.Create(folder, new RunHeader { RunId = "qtest-run", StartedAt = DateTimeOffset.UtcNow, Runner = "vstest", Sources = ["Acme.Tests.dll"] }))
        {
            for (var i = 1; i <= 7; i++)
                journal.AppendResult(new TestResultRecord
                {
                    Sequence = i,
                    FullyQualifiedName = $"Acme.Tests.Case{i}",
                    DisplayName = $"Case{i}",
                    Outcome = i == 3 ? TestOutcome.Failed : TestOutcome.Passed,
                    ErrorMessage = i == 3 ? new string('x', 2000) : null,
                    TestCaseKeys = [i % 2 == 0 ? $"TC-{i}" : $"100{i}"],
                    Covers = i <= 2 ? ["RQ-1", "DEMO-100"] : i == 3 ? ["RQ-2"] : [],
                });
            journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = 7 });
            journalPath = journal.JournalPath;
        }

        var publish = await SampleRuns.RunCliAsync(
            ["publish", journalPath, "--target", "qtest", "--base-url", sandbox.BaseAddress.ToString(), "--project", "12345",
             "--test-cycle-parent", "RL-1", "--summary", "Nightly qTest", "--max-request-bytes", "2KB"],
            new Dictionary<string, string?> { ["TMS_TOKEN"] = QTestStore.ApiToken },
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = CreatedCycle(state);
        Assert.Equal("Nightly qTest", cycle.GetProperty("name").GetString());
        Assert.Equal("release", cycle.GetProperty("parentType").GetString());
        Assert.Equal("601", cycle.GetProperty("parentId").GetString());
        Assert.Equal(7, cycle.GetProperty("runs").GetArrayLength());
        Assert.Equal("FAIL", LastLog(cycle, "TC-3").GetProperty("status").GetString());
        var jobs = QTest(state).GetProperty("jobs").EnumerateArray().ToList();
        Assert.True(jobs.Count >= 2, "2KB splits the logs into several submits");
        Assert.All(jobs, j => Assert.Equal("SUCCESS", j.GetProperty("state").GetString()));
        var cases = QTest(state).GetProperty("testCases").EnumerateArray().ToDictionary(c => c.GetProperty("pid").GetString()!);
        Assert.Equal(["RQ-1"], Strings(cases["TC-1"], "requirements"));
        Assert.Equal(["RQ-1"], Strings(cases["TC-2"], "requirements"));
        Assert.Equal(["RQ-2"], Strings(cases["TC-3"], "requirements"));
        Assert.Empty(Strings(cases["TC-4"], "requirements"));
        Assert.DoesNotContain(cases.Values, c => c.GetProperty("created").GetBoolean());
    }
}

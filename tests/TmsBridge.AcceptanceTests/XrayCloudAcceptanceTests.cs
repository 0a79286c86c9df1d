using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Xray Cloud and the resilience pipeline, end to end: real `dotnet test --logger tms` (or
/// `tmsbridge publish`) against the sandbox, with faults injected through /_sandbox/faults.
/// </summary>
public sealed class XrayCloudAcceptanceTests(SampleRuns samples)
{
    public const string ClientId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    public const string ClientSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"; // the sandbox's demo key
    private const string ImportPath = "/api/v2/import/execution";

    public static TheoryData<string> AllSamples => new(DemoCommand.Samples);

    private static Dictionary<string, string?> CloudEnvironment(Uri sandbox) => new()
    {
        ["TMS_TARGET"] = "xray-cloud",
        ["TMS_BASE_URL"] = sandbox.ToString(),
        ["TMS_CLIENT_ID"] = ClientId,
        ["TMS_CLIENT_SECRET"] = ClientSecret,
        ["TMS_PROJECT"] = "DEMO",
    };

    private static IReadOnlyList<JsonElement> CloudExecutions(JsonDocument state) =>
        state.RootElement.GetProperty("xrayCloud").GetProperty("executions").EnumerateArray().ToList();

    private static int Count(JsonDocument state, string methodAndPath) =>
        state.RootElement.GetProperty("requestCounts").TryGetProperty(methodAndPath, out var n) ? n.GetInt32() : 0;

    private static async Task InjectAsync(Uri sandbox, object rules)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(new Uri(sandbox, "_sandbox/faults"), rules, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task Sample_run_lands_in_Xray_Cloud_with_cloud_statuses_and_evidence(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, CloudEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        var statuses = execution.GetProperty("tests").EnumerateArray().ToDictionary(t => t.GetProperty("testKey").GetString()!, t => t.GetProperty("status").GetString()!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["DEMO-1"] = "PASSED", ["DEMO-2"] = "PASSED", ["DEMO-3"] = "FAILED", ["DEMO-4"] = "TODO",
            ["DEMO-5"] = "PASSED", ["DEMO-6"] = "PASSED", ["DEMO-7"] = "PASSED",
        }.OrderBy(p => p.Key), statuses.OrderBy(p => p.Key));
        var rows = Test(execution, "DEMO-2").GetProperty("iterations").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("name").GetString()))); // Cloud iterations are named
        var screen = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
        var evidence = Test(execution, "DEMO-1").GetProperty("evidence").EnumerateArray().ToList();
        Assert.Contains(evidence, e => e.GetProperty("filename").GetString() == "screen.png" && e.GetProperty("sha256").GetString() == SampleRuns.Sha256(screen));
        Assert.Equal(["DEMO-201"], Strings(Test(execution, "DEMO-3"), "defects"));
        Assert.Equal(1, Count(state, "POST /api/v2/authenticate"));
        Assert.Equal(1, Count(state, "POST " + ImportPath));
        var key = execution.GetProperty("key").GetString();
        Assert.Contains(run.TmsLines, l => l.Contains($"Xray Cloud created {key}", StringComparison.Ordinal) && l.Contains("7 sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bursts_of_429_with_Retry_After_and_503_recover_with_one_execution_and_every_result_once()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        await InjectAsync(sandbox.BaseAddress, new object[]
        {
            new { method = "POST", path = ImportPath, count = 2, action = "status", status = 429, retryAfter = "1" },
            new { method = "POST", path = ImportPath, count = 2, action = "status", status = 503 },
        });
        var environment = CloudEnvironment(sandbox.BaseAddress);
        environment["TMS_MAX_REQUEST_BYTES"] = "2KB"; // several imports, so the faults hit the create and the follow-ups

        var run = await samples.RunAsync("NUnitSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        var keys = execution.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("testKey").GetString()).ToList();
        Assert.Equal(7, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.True(Count(state, "POST " + ImportPath) >= 6, "4 faulted answers plus at least 2 imports");
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        using var report = run.Report();
        Assert.Contains(report.RootElement.GetProperty("requests").EnumerateArray(), r => r.GetProperty("status").ValueKind == JsonValueKind.Number && r.GetProperty("status").GetInt32() == 429);
    }

    [Fact]
    public async Task A_lost_answer_to_the_create_does_not_make_a_second_execution()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        await InjectAsync(sandbox.BaseAddress, new { method = "POST", path = ImportPath, count = 1, action = "loseResponse" });

        var run = await samples.RunAsync("XunitSample", CloudEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
        Assert.Equal(1, Count(state, "POST " + ImportPath)); // found by its run marker, never posted again
        Assert.True(Count(state, "POST /api/v2/graphql") >= 1);
        Assert.Contains(run.TmsLines, l => l.Contains("answer to the request that created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_413_shrinks_the_requests_and_everything_still_lands()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        await InjectAsync(sandbox.BaseAddress, new { method = "POST", path = ImportPath, count = -1, action = "tooLarge", maxBytes = 3000 });

        var run = await samples.RunAsync("MSTestSample", CloudEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using (var report = run.Report())
        {
            var imports = report.RootElement.GetProperty("requests").EnumerateArray().Where(r => r.GetProperty("url").GetString()!.EndsWith(ImportPath, StringComparison.Ordinal)).ToList();
            Assert.Contains(imports, r => r.GetProperty("status").GetInt32() == 413);
            Assert.All(imports.Where(r => r.GetProperty("status").GetInt32() == 200), r => Assert.True(r.GetProperty("requestBytes").GetInt64() <= 3000));
        }
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
        Assert.Equal(2, Test(execution, "DEMO-1").GetProperty("evidence").GetArrayLength());
        Assert.Contains(run.TmsLines, l => l.Contains("413", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_never_answers_ends_within_the_deadline_with_the_journal_intact()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        await InjectAsync(sandbox.BaseAddress, new { path = "/api/*", count = -1, action = "delay", delayMs = 120000 });
        var environment = CloudEnvironment(sandbox.BaseAddress);
        environment["TMS_PUBLISH_TIMEOUT"] = "8s";
        environment["TMS_TIMEOUT"] = "3s";

        var started = DateTime.UtcNow;
        var run = await samples.RunAsync("XunitV2Sample", environment);
        var took = DateTime.UtcNow - started;

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.True(took < TimeSpan.FromSeconds(90), $"the run took {took}"); // bounded by the deadline, not by the server
        Assert.Contains(run.TmsLines, l => l.Contains("error", StringComparison.Ordinal) && (l.Contains("deadline", StringComparison.Ordinal) || l.Contains("no answer", StringComparison.Ordinal)));
        Assert.Equal(11, run.JournalResults());
    }

    [Fact]
    public async Task Mandatory_execution_fields_go_through_the_multipart_import()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].RequiredExecutionFields = new() { ["customfield_10115"] = "Story Points" };
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);
        var environment = CloudEnvironment(sandbox.BaseAddress);

        var without = await samples.RunAsync("NUnitSample", environment);
        Assert.Contains(without.TmsLines, l => l.Contains("Story Points is required", StringComparison.Ordinal));

        environment["TMS_EXECUTION_FIELDS"] = """{"customfield_10115": 3, "labels": ["nightly"]}""";
        environment["TMS_TEST_PLAN"] = "DEMO-300";
        var with = await samples.RunAsync("NUnitSample", environment);
        SampleRun.AssertSampleOutcomeUnchanged(with);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        Assert.Equal(3, execution.GetProperty("fields").GetProperty("customfield_10115").GetInt32());
        Assert.Equal("DEMO-300", execution.GetProperty("testPlanKey").GetString());
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
    }

    /// <summary>
    /// 2,000 results with 200 MB of evidence, published by `tmsbridge publish` as a separate process:
    /// several imports, each under the byte budget, all results present once, and the publishing
    /// process's peak memory far below the evidence size (evidence is streamed, never held).
    /// </summary>
    [Fact]
    public async Task A_large_run_is_split_under_the_byte_budget_with_bounded_memory()
    {
        const int results = 2000;
        const int evidenceBytes = 100 * 1024; // 2,000 × 100 KB = 200 MB
        var seed = SandboxSeed.CreateDefault();
        seed.Projects.Add(new SeedProject { Key = "BIG", Tests = ["BIG-1..BIG-2000"], TestEnvironments = ["ci"] });
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);

        var folder = Path.Combine(samples.WorkFolder, "large-run");
        var journalPath = WriteLargeJournal(folder, results, evidenceBytes);

        var publish = await SampleRuns.RunCliAsync(
            ["publish", journalPath, "--target", "xray-cloud", "--base-url", sandbox.BaseAddress.ToString(), "--project", "BIG",
             "--max-request-bytes", "20MB", "--stats"],
            new Dictionary<string, string?> { ["TMS_CLIENT_ID"] = ClientId, ["TMS_CLIENT_SECRET"] = ClientSecret },
            timeout: TimeSpan.FromMinutes(10));

        Assert.True(publish.ExitCode == 0, publish.Output);
        var stats = publish.Lines.Single(l => l.StartsWith("tmsbridge: stats:", StringComparison.Ordinal));
        long Stat(string name) => long.Parse(stats.Split(' ').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal)).Split('=')[1]);
        Assert.True(Stat("requests") >= 10, stats);
        Assert.True(Stat("maxRequestBytes") <= 20L * 1024 * 1024, stats);
        Assert.True(Stat("peakWorkingSetBytes") < 300L * 1024 * 1024, stats);

        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(CloudExecutions(state));
        var tests = execution.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(results, tests.Count);
        Assert.Equal(results, tests.Select(t => t.GetProperty("testKey").GetString()).Distinct().Count());
        Assert.All(tests, t => Assert.Equal(evidenceBytes, Assert.Single(t.GetProperty("evidence").EnumerateArray()).GetProperty("size").GetInt64()));
    }

    /// <summary>A journal as the logger would leave it: header, then one result (with a 100 KB evidence copy) per key.</summary>
    private static string WriteLargeJournal(string folder, int results, int evidenceBytes)
    {
        var random = new Random(4711);
        using var journal = RunJournal.Create(folder, new RunHeader
        {
            RunId = "large-run",
            StartedAt = DateTimeOffset.UtcNow,
            Runner = "vstest",
            Sources = ["Large.Tests.dll"],
        });
        Directory.CreateDirectory(journal.EvidenceFolder);
        var bytes = new byte[evidenceBytes];
        for (var i = 1; i <= results; i++)
        {
            random.NextBytes(bytes); // incompressible, like screenshots and videos
            var name = $"shot-{i}.png";
            File.WriteAllBytes(Path.Combine(journal.EvidenceFolder, name), bytes);
            journal.AppendResult(new TestResultRecord
            {
                Sequence = i,
                FullyQualifiedName = $"Large.Tests.Case{i}",
                DisplayName = $"Case{i}",
                Outcome = i % 10 == 0 ? TestOutcome.Failed : TestOutcome.Passed,
                ErrorMessage = i % 10 == 0 ? "expected something else" : null,
                TestCaseKeys = [$"BIG-{i}"],
                Attachments = [new EvidenceFile { Path = Path.Combine("large-run.evidence", name), FileName = name, ContentType = "image/png", Size = evidenceBytes }],
            });
        }
        journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = results });
        return journal.JournalPath;
    }
}

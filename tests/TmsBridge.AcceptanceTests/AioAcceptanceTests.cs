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
/// AIO Tests, both flavours, end to end: real `dotnet test --logger tms` on the samples (or
/// `tmsbridge publish` on a synthetic journal) against the sandbox's AIO emulator.
/// </summary>
public sealed class AioAcceptanceTests(SampleRuns samples)
{
    private const string CloudToken = "sandbox-aio-token";
    private static readonly byte[] ScreenPng = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
    private static readonly byte[] LoginLog = Encoding.UTF8.GetBytes("user=alice logged in at 2026-01-01T09:00:00Z\n");
    private static readonly byte[] CheckoutLog = Encoding.UTF8.GetBytes("cart=42 subtotal=100.00 tax=missing\n");

    public static TheoryData<string> AllSamples => new(DemoCommand.Samples);

    private static Dictionary<string, string?> CloudEnvironment(Uri sandbox) => new()
    {
        ["TMS_TARGET"] = "aio-cloud",
        ["TMS_BASE_URL"] = sandbox.ToString(),
        ["TMS_TOKEN"] = CloudToken,
    };

    private static Dictionary<string, string?> ServerEnvironment(Uri sandbox, bool pat) => pat
        ? new() { ["TMS_TARGET"] = "aio", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_TOKEN"] = "sandbox-pat-token" }
        : new() { ["TMS_TARGET"] = "aio", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" };

    private static IReadOnlyList<JsonElement> Cycles(JsonDocument state, bool cloud) =>
        state.RootElement.GetProperty(cloud ? "aio" : "aioServer").GetProperty("cycles").EnumerateArray().ToList();

    private static JsonElement Run(JsonElement cycle, string caseKey) =>
        cycle.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("testCaseKey").GetString() == caseKey);

    private static readonly Dictionary<string, string> ExpectedStatuses = new()
    {
        ["DEMO-TC-1"] = "Passed", ["DEMO-TC-2"] = "Passed", ["DEMO-TC-3"] = "Failed", ["DEMO-TC-4"] = "Not Run",
        ["DEMO-TC-5"] = "Passed", ["DEMO-TC-6"] = "Passed", ["DEMO-TC-7"] = "Passed",
    };

    /// <summary>Statuses per case, evidence bytes on the right runs, and the minimum number of requests.</summary>
    private static void AssertSampleLanded(SampleRun run, JsonDocument state, bool cloud)
    {
        SampleRun.AssertSampleOutcomeUnchanged(run);
        var cycle = Assert.Single(Cycles(state, cloud));
        Assert.EndsWith(" sample run", cycle.GetProperty("title").GetString()); // summary from the sample's tmsbridge.json
        Assert.Contains("TmsBridge run ", cycle.GetProperty("objective").GetString());
        var runs = cycle.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(ExpectedStatuses.OrderBy(p => p.Key),
            runs.ToDictionary(r => r.GetProperty("testCaseKey").GetString()!, r => r.GetProperty("status").GetString()!).OrderBy(p => p.Key));
        Assert.All(runs, r => Assert.True(r.GetProperty("isAutomated").GetBoolean()));

        // Data rows: one run, every row named in its comment.
        var rows = string.Join("\n", Strings(Run(cycle, "DEMO-TC-2"), "comments"));
        Assert.Contains("3 results", rows);
        Assert.Contains("bob", rows);
        Assert.Contains("mallory", rows);
        Assert.Contains("expected total 107.00", string.Join("\n", Strings(Run(cycle, "DEMO-TC-3"), "comments")));

        // Evidence bytes equal the files the tests attached, on the run of their case.
        var evidence = Run(cycle, "DEMO-TC-1").GetProperty("attachments").EnumerateArray().ToDictionary(a => a.GetProperty("filename").GetString()!, a => a);
        Assert.Equal(SampleRuns.Sha256(ScreenPng), evidence["screen.png"].GetProperty("sha256").GetString());
        Assert.Equal("image/png", evidence["screen.png"].GetProperty("contentType").GetString());
        Assert.Equal(SampleRuns.Sha256(LoginLog), evidence["login-log.txt"].GetProperty("sha256").GetString());
        var checkout = Assert.Single(Run(cycle, "DEMO-TC-3").GetProperty("attachments").EnumerateArray());
        Assert.Equal(SampleRuns.Sha256(CheckoutLog), checkout.GetProperty("sha256").GetString());
        Assert.All(runs.Where(r => r.GetProperty("testCaseKey").GetString() is not ("DEMO-TC-1" or "DEMO-TC-3")),
            r => Assert.Equal(0, r.GetProperty("attachments").GetArrayLength()));

        // The fewest requests: config, create, one bulk, one listing page, one upload per file; never a 429.
        using var report = run.Report();
        var requests = report.RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal(1 + 1 + 1 + 1 + 3, requests.Count);
        Assert.DoesNotContain(requests, r => r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 429);
        var key = cycle.GetProperty("key").GetString();
        Assert.Contains(run.TmsLines, l => l.Contains($"created {key}", StringComparison.Ordinal) && l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Equal(11, run.JournalResults());
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task Sample_run_lands_in_AIO_Cloud_with_statuses_evidence_and_the_fewest_requests(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, CloudEnvironment(sandbox.BaseAddress));

        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(run, state, cloud: true);
        Assert.Empty(Cycles(state, cloud: false));
    }

    [Theory]
    [InlineData("NUnitSample", false)]
    [InlineData("XunitSample", true)]
    public async Task Sample_run_lands_in_AIO_Server_with_Basic_or_a_PAT(string sample, bool pat)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, ServerEnvironment(sandbox.BaseAddress, pat));

        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(run, state, cloud: false);
        Assert.Empty(Cycles(state, cloud: true));
    }

    [Fact]
    public async Task A_draft_case_is_a_partial_failure_named_in_the_summary_and_report()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].AioCases = new() { ["Published"] = ["DEMO-TC-1..DEMO-TC-6", "DEMO-TC-8..DEMO-TC-50"], ["Draft"] = ["DEMO-TC-7"] };
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync("MSTestSample", CloudEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("6 sent, 1 refused", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("DEMO-TC-7 refused by AIO Tests Cloud", StringComparison.Ordinal));
        using var report = run.Report();
        var refused = report.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("key").GetString() == "DEMO-TC-7");
        Assert.Equal("refused", refused.GetProperty("state").GetString());
        Assert.Contains("DEMO-TC-7", refused.GetProperty("messages")[0].GetString());
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(Cycles(state, cloud: true));
        Assert.Equal(6, cycle.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task Older_AIO_Server_without_attachments_sends_every_result_and_warns_once()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.AioServerAttachments = false;
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync("XunitV2Sample", ServerEnvironment(sandbox.BaseAddress, pat: false));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Single(run.TmsLines, l => l.Contains("answered 404 to the attachment upload", StringComparison.Ordinal));
        using var report = run.Report();
        Assert.Equal(3, report.RootElement.GetProperty("skippedEvidence").GetArrayLength());
        var uploads = report.RootElement.GetProperty("requests").EnumerateArray().Count(r => r.GetProperty("url").GetString()!.EndsWith("/attachment", StringComparison.Ordinal));
        Assert.Equal(1, uploads);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(Cycles(state, cloud: false));
        Assert.Equal(7, cycle.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task Reporting_into_an_existing_cycle_creates_nothing()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = CloudEnvironment(sandbox.BaseAddress);
        environment["TMS_TEST_EXECUTION"] = "DEMO-CY-2";

        var run = await samples.RunAsync("NUnitSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(Cycles(state, cloud: true));
        Assert.Equal("DEMO-CY-2", cycle.GetProperty("key").GetString());
        Assert.False(cycle.GetProperty("created").GetBoolean());
        Assert.Equal(7, cycle.GetProperty("runs").GetArrayLength());
        Assert.Contains(run.TmsLines, l => l.Contains("reported into DEMO-CY-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lost_create_answer_and_a_429_burst_still_give_one_cycle_with_every_result()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        using (var http = new HttpClient())
        {
            var faults = await http.PostAsJsonAsync(new Uri(sandbox.BaseAddress, "_sandbox/faults"), new object[]
            {
                new { method = "POST", path = "/aio-tcms/api/v1/project/DEMO/testcycle/detail", count = 1, action = "loseResponse" },
                new { method = "POST", path = "/aio-tcms/api/v1/project/DEMO/testcycle/*", count = 2, action = "status", status = 429, retryAfter = "1" },
            }, TestContext.Current.CancellationToken);
            Assert.True(faults.IsSuccessStatusCode, await faults.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var run = await samples.RunAsync("XunitSample", CloudEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(Cycles(state, cloud: true));
        Assert.Equal(7, cycle.GetProperty("runs").GetArrayLength());
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("was lost", StringComparison.Ordinal));
        using var report = run.Report();
        Assert.Contains(report.RootElement.GetProperty("requests").EnumerateArray(), r => r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 429);
    }

    /// <summary>
    /// 250 results (30 with evidence) published by `tmsbridge publish` into a cycle in a folder,
    /// with the sandbox's limit lowered to 20 requests per 10 s and rateLimit set to match: more
    /// requests than one window allows, no 429, everything lands.
    /// </summary>
    [Fact]
    public async Task A_larger_run_stays_under_a_lowered_limit_and_lands_whole()
    {
        const int results = 250;
        const int withEvidence = 30;
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].AioCases = new() { ["Published"] = ["DEMO-TC-1..DEMO-TC-250"] };
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);
        using (var http = new HttpClient())
        {
            var set = await http.PostAsJsonAsync(new Uri(sandbox.BaseAddress, "_sandbox/limits"),
                new { aio = new { requests = 20, windowSeconds = 10, retryAfter = true } }, TestContext.Current.CancellationToken);
            Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        var journalPath = WriteJournal(Path.Combine(samples.WorkFolder, "aio-large-run"), results, withEvidence);

        var started = DateTime.UtcNow;
        var publish = await SampleRuns.RunCliAsync(
            ["publish", journalPath, "--target", "aio-cloud", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO",
             "--rate-limit", "20/10s", "--cycle-folder", "Nightly/Linux", "--summary", "Large AIO run"],
            new Dictionary<string, string?> { ["TMS_TOKEN"] = CloudToken },
            timeout: TimeSpan.FromMinutes(3));
        var took = DateTime.UtcNow - started;

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(Cycles(state, cloud: true));
        Assert.Equal("Nightly/Linux", cycle.GetProperty("folder").GetString());
        var runs = cycle.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(results, runs.Count);
        Assert.Equal(results / 10, runs.Count(r => r.GetProperty("status").GetString() == "Failed"));
        Assert.Equal(withEvidence, runs.Sum(r => r.GetProperty("attachments").GetArrayLength()));

        var report = Directory.GetFiles(Path.GetDirectoryName(journalPath)!, "*.report.json").Single();
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        var requests = doc.RootElement.GetProperty("requests").EnumerateArray().ToList();
        Assert.DoesNotContain(requests, r => r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 429);
        // config + folder + create + 3 bulks + 3 listing pages + 30 uploads = 39: two windows' worth.
        Assert.Equal(1 + 1 + 1 + 3 + 3 + withEvidence, requests.Count);
        Assert.True(took > TimeSpan.FromSeconds(10), $"took {took}: the limiter should have waited for the next window");
        Assert.Equal(results, doc.RootElement.GetProperty("totals").GetProperty("sent").GetInt32());
    }

    /// <summary>A journal as the logger leaves it: one result per case DEMO-TC-1..n, every tenth failed, the first few with a small file.</summary>
    private static string WriteJournal(string folder, int results, int withEvidence)
    {
        using var journal = RunJournal.Create(folder, new RunHeader
        {
            RunId = "aio-large-run",
            StartedAt = DateTimeOffset.UtcNow,
            Runner = "vstest",
            Sources = ["Large.Tests.dll"],
        });
        Directory.CreateDirectory(journal.EvidenceFolder);
        for (var i = 1; i <= results; i++)
        {
            var attachments = new List<EvidenceFile>();
            if (i <= withEvidence)
            {
                var name = $"log-{i}.txt";
                var bytes = Encoding.UTF8.GetBytes($"log of case {i}\n");
                File.WriteAllBytes(Path.Combine(journal.EvidenceFolder, name), bytes);
                attachments.Add(new EvidenceFile { Path = Path.Combine("aio-large-run.evidence", name), FileName = name, ContentType = "text/plain", Size = bytes.Length });
            }
            journal.AppendResult(new TestResultRecord
            {
                Sequence = i,
                FullyQualifiedName = $"Large.Tests.Case{i}",
                DisplayName = $"Case{i}",
                Outcome = i % 10 == 0 ? TestOutcome.Failed : TestOutcome.Passed,
                ErrorMessage = i % 10 == 0 ? "expected something else" : null,
                DurationMs = 15,
                TestCaseKeys = [$"DEMO-TC-{i}"],
                Attachments = attachments,
            });
        }
        journal.AppendEnd(new RunEnd { FinishedAt = DateTimeOffset.UtcNow, Results = results });
        return journal.JournalPath;
    }
}

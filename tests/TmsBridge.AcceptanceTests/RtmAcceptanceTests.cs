using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// RTM, both flavours, end to end: real `dotnet test --logger tms` on the samples against the
/// sandbox's RTM emulator: one Test Execution from the plan, per-TCE results, comments, evidence,
/// defects and requirement links; a key outside the plan; 429 bursts under parallelism.
/// </summary>
public sealed class RtmAcceptanceTests(SampleRuns samples)
{
    private static readonly byte[] ScreenPng = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
    private static readonly byte[] LoginLog = Encoding.UTF8.GetBytes("user=alice logged in at 2026-01-01T09:00:00Z\n");
    private static readonly byte[] CheckoutLog = Encoding.UTF8.GetBytes("cart=42 subtotal=100.00 tax=missing\n");

    public static TheoryData<string> AllSamples => new(DemoCommand.Samples);

    /// <summary>The demo's environment for the flavour (the sandbox's accounts), with the test plan.</summary>
    internal static Dictionary<string, string?> Environment(Uri sandbox, bool cloud, string plan = "DEMO-300")
    {
        var environment = DemoCommand.Targets.Single(t => t.Name == (cloud ? "rtm-cloud" : "rtm")).Environment(sandbox);
        environment["TMS_TEST_PLAN"] = plan;
        return environment;
    }

    private static JsonElement Execution(JsonDocument state, bool cloud) =>
        Assert.Single(state.RootElement.GetProperty(cloud ? "rtmCloud" : "rtm").GetProperty("executions").EnumerateArray());

    private static JsonElement Tce(JsonElement execution, string key) =>
        execution.GetProperty("testCaseExecutions").EnumerateArray().Single(t => t.GetProperty("testCaseKey").GetString() == key);

    private static readonly Dictionary<string, string> ExpectedResults = new()
    {
        ["DEMO-1"] = "Pass", ["DEMO-2"] = "Pass", ["DEMO-3"] = "Fail", ["DEMO-4"] = "To do", ["DEMO-5"] = "Pass", ["DEMO-6"] = "Pass", ["DEMO-7"] = "Pass",
    };

    /// <summary>One TE from the plan; per TCE result, comment, evidence bytes and defects; links with add; the request count.</summary>
    /// <param name="mtp">An MTP run: its own exit code and counts (checked by the caller).</param>
    internal static void AssertSampleLanded(SampleRun run, JsonDocument state, bool cloud, bool mtp = false)
    {
        if (!mtp) SampleRun.AssertSampleOutcomeUnchanged(run);
        var execution = Execution(state, cloud);
        Assert.Equal("DEMO-300", execution.GetProperty("testPlan").GetString());
        Assert.Equal("Done", execution.GetProperty("status").GetString());
        Assert.Contains("TmsBridge run ", execution.GetProperty("description").GetString());
        var tces = execution.GetProperty("testCaseExecutions").EnumerateArray().ToList();
        Assert.Equal(ExpectedResults.OrderBy(p => p.Key), tces.ToDictionary(t => t.GetProperty("testCaseKey").GetString()!, t => t.GetProperty("result").GetString()!).OrderBy(p => p.Key));
        Assert.All(tces, t => Assert.Equal(1, t.GetProperty("resultWrites").GetInt32()));

        var rows = string.Join("\n", Strings(Tce(execution, "DEMO-2"), "comments"));
        Assert.Contains("bob", rows);
        Assert.Contains("mallory", rows);
        Assert.Contains("expected total 107.00", string.Join("\n", Strings(Tce(execution, "DEMO-3"), "comments")));
        Assert.Empty(Strings(Tce(execution, "DEMO-1"), "comments"));

        var evidence = Tce(execution, "DEMO-1").GetProperty("attachments").EnumerateArray().ToDictionary(a => a.GetProperty("filename").GetString()!, a => a);
        Assert.Equal(SampleRuns.Sha256(ScreenPng), evidence["screen.png"].GetProperty("sha256").GetString());
        Assert.Equal(SampleRuns.Sha256(LoginLog), evidence["login-log.txt"].GetProperty("sha256").GetString());
        Assert.Equal(SampleRuns.Sha256(CheckoutLog), Assert.Single(Tce(execution, "DEMO-3").GetProperty("attachments").EnumerateArray()).GetProperty("sha256").GetString());
        Assert.Equal(["DEMO-200"], Strings(Tce(execution, "DEMO-2"), "defects"));
        Assert.Equal(["DEMO-201"], Strings(Tce(execution, "DEMO-3"), "defects"));

        var covers = state.RootElement.GetProperty(cloud ? "rtmCloud" : "rtm").GetProperty("coveredRequirements");
        Assert.Equal(["DEMO-100", "DEMO-101"], Strings(covers, "DEMO-1").Order());
        Assert.Equal(["DEMO-100"], Strings(covers, "DEMO-5"));

        // N results + comments + defects + evidence + links + a few (create, status twice, TE read).
        using var report = run.Report();
        var requests = report.RootElement.GetProperty("requests").EnumerateArray().ToList();
        var comments = tces.Sum(t => t.GetProperty("comments").GetArrayLength());
        var links = covers.EnumerateObject().Count();
        Assert.Equal(4 + 7 + comments + 2 + 3 + links, requests.Count);
        var key = execution.GetProperty("key").GetString();
        Assert.Contains(run.TmsLines, l => l.Contains($"created {key}", StringComparison.Ordinal) && l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Equal(11, run.JournalResults());
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task Sample_run_lands_in_RTM_Cloud_as_one_execution_with_per_tce_results(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, Environment(sandbox.BaseAddress, cloud: true));

        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(run, state, cloud: true);
        Assert.Empty(state.RootElement.GetProperty("rtm").GetProperty("executions").EnumerateArray());
    }

    [Theory]
    [InlineData("NUnitSample", false)]
    [InlineData("MSTestSample", true)]
    public async Task Sample_run_lands_in_RTM_Server_with_Basic_or_a_PAT(string sample, bool pat)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(sandbox.BaseAddress, cloud: false);
        if (pat)
        {
            environment.Remove("TMS_USER");
            environment.Remove("TMS_PASSWORD");
            environment["TMS_TOKEN"] = "sandbox-pat-token";
        }

        var run = await samples.RunAsync(sample, environment);

        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertSampleLanded(run, state, cloud: false);
        var key = Execution(state, cloud: false).GetProperty("key").GetString();
        Assert.Contains(run.TmsLines, l => l.Contains($"{sandbox.BaseAddress}browse/{key}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_outside_the_plan_is_a_named_partial_failure()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        // DEMO-301 holds DEMO-1..DEMO-6 (the seed): DEMO-7 has no TCE.
        var run = await samples.RunAsync("XunitV2Sample", Environment(sandbox.BaseAddress, cloud: true, plan: "DEMO-301"));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("6 sent, 1 refused", StringComparison.Ordinal));
        using var report = run.Report();
        var refused = report.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("key").GetString() == "DEMO-7");
        Assert.Equal("refused", refused.GetProperty("state").GetString());
        Assert.Contains("DEMO-7", refused.GetProperty("messages")[0].GetString());
        Assert.Contains("test plan", refused.GetProperty("messages")[0].GetString());
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal(6, Execution(state, cloud: true).GetProperty("testCaseExecutions").GetArrayLength());
    }

    [Fact]
    public async Task A_429_burst_under_parallelism_loses_nothing_and_doubles_nothing()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        using (var http = new HttpClient())
        {
            var faults = await http.PostAsJsonAsync(new Uri(sandbox.BaseAddress, "_sandbox/faults"), new object[]
            {
                new { method = "PUT", path = "/rtm-cloud/api/v2/test-case-execution/*", count = 3, action = "status", status = 429, retryAfter = "1" },
                new { method = "POST", path = "/rtm-cloud/api/test-case-execution-comment/*", count = 1, action = "status", status = 429, retryAfter = "1" },
                new { method = "POST", path = "/rtm-cloud/api/v2/test-case-execution/*", count = 2, action = "status", status = 429, retryAfter = "1" },
            }, TestContext.Current.CancellationToken);
            Assert.True(faults.IsSuccessStatusCode, await faults.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        var environment = Environment(sandbox.BaseAddress, cloud: true);
        environment["TMS_PARALLELISM"] = "8";

        var run = await samples.RunAsync("NUnitSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Execution(state, cloud: true);
        Assert.All(execution.GetProperty("testCaseExecutions").EnumerateArray(), t => Assert.Equal(1, t.GetProperty("resultWrites").GetInt32()));
        Assert.Equal(2, Tce(execution, "DEMO-1").GetProperty("attachments").GetArrayLength());
        Assert.Single(Strings(Tce(execution, "DEMO-3"), "comments"));
        Assert.Single(Strings(Tce(execution, "DEMO-3"), "defects"));
        using var report = run.Report();
        Assert.Equal(6, report.RootElement.GetProperty("requests").EnumerateArray().Count(r => r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.GetInt32() == 429));
    }

    [Fact]
    public async Task Import_mode_lands_the_sample_as_one_imported_execution_without_evidence()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(sandbox.BaseAddress, cloud: true);
        environment["TMS_RTM_MODE"] = "import";

        var run = await samples.RunAsync("MSTestSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Execution(state, cloud: true);
        Assert.True(execution.GetProperty("imported").GetBoolean());
        Assert.Equal(ExpectedResults.OrderBy(p => p.Key),
            execution.GetProperty("testCaseExecutions").EnumerateArray().ToDictionary(t => t.GetProperty("testCaseKey").GetString()!, t => t.GetProperty("result").GetString()!).OrderBy(p => p.Key));
        Assert.All(execution.GetProperty("testCaseExecutions").EnumerateArray(), t => Assert.Equal(0, t.GetProperty("attachments").GetArrayLength()));
        using var report = run.Report();
        // One import plus its polls, whatever N.
        Assert.Equal(3, report.RootElement.GetProperty("requests").GetArrayLength());
        Assert.Equal(3, report.RootElement.GetProperty("skippedEvidence").GetArrayLength());
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("rtmMode=import", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("runtime/XunitStepsSample", true)]
    [InlineData("runtime/NUnitStepsSample", false)]
    public async Task Steps_sample_lands_with_per_step_statuses_and_the_steps_evidence_on_the_tce(string sample, bool cloud)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, Environment(sandbox.BaseAddress, cloud));

        Assert.Equal(1, run.Process.ExitCode);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Execution(state, cloud);
        // DEMO-8's test case has three steps (the seed): each runtime step's status lands on its step.
        var checkout = Tce(execution, "DEMO-8");
        Assert.Equal("Fail", checkout.GetProperty("result").GetString());
        var steps = checkout.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["Pass", "Fail", "Pass"], steps.Select(st => st.GetProperty("status").GetString()));
        Assert.Contains("payment refused: card declined", steps[1].GetProperty("comment").GetString());
        var shot = Assert.Single(steps[1].GetProperty("attachments").EnumerateArray());
        Assert.Equal("declined.png", shot.GetProperty("filename").GetString());
        Assert.Equal(SampleRuns.Sha256(ScreenPng), shot.GetProperty("sha256").GetString());
        Assert.Empty(checkout.GetProperty("attachments").EnumerateArray());
        var comment = string.Join("\n", Strings(checkout, "comments"));
        Assert.Contains("checkout failed: card declined", comment);
        Assert.Contains("the cart still holds 3 items after the refused payment", comment);
        Assert.DoesNotContain("Steps:", comment);
        // DEMO-9's test case has no steps: its runtime step stays text in the comment.
        var runtimeKey = Tce(execution, "DEMO-9");
        Assert.Equal("Pass", runtimeKey.GetProperty("result").GetString());
        Assert.Contains("1. PASSED Look up the region's price list", string.Join("\n", Strings(runtimeKey, "comments")));
        Assert.Contains(run.TmsLines, l => l.Contains("2 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lost_create_answer_on_RTM_Cloud_is_found_by_the_run_marker_one_execution_results_in_it()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        using (var http = new HttpClient())
        {
            // The TE is created, then the connection is dropped before the answer leaves.
            var faults = await http.PostAsJsonAsync(new Uri(sandbox.BaseAddress, "_sandbox/faults"), new object[]
            {
                new { method = "POST", path = "/rtm-cloud/api/v2/test-execution/execute/*", count = 1, action = "loseResponse" },
            }, TestContext.Current.CancellationToken);
            Assert.True(faults.IsSuccessStatusCode, await faults.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var run = await samples.RunAsync("NUnitSample", Environment(sandbox.BaseAddress, cloud: true));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Execution(state, cloud: true);
        var key = execution.GetProperty("key").GetString()!;
        Assert.Equal(ExpectedResults.OrderBy(p => p.Key),
            execution.GetProperty("testCaseExecutions").EnumerateArray().ToDictionary(t => t.GetProperty("testCaseKey").GetString()!, t => t.GetProperty("result").GetString()!).OrderBy(p => p.Key));
        Assert.All(execution.GetProperty("testCaseExecutions").EnumerateArray(), t => Assert.Equal(1, t.GetProperty("resultWrites").GetInt32()));
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        using var report = run.Report();
        var requests = report.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("method").GetString() + " " + r.GetProperty("url").GetString()).ToList();
        Assert.Single(requests, r => r.Contains("/test-execution/execute/", StringComparison.Ordinal));
        // The lookup: the TCEs of the run's first test case name the TE.
        Assert.Contains(requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/rtm-cloud/api/test-case-execution/test-case/DEMO-", StringComparison.Ordinal));
        Assert.Contains(report.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains($"created Test Execution {key} was lost", StringComparison.Ordinal));
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// QMetry (QTM4J), both flavours, end to end: real `dotnet test --logger tms` on every sample against the
/// sandbox's QMetry import (the MTP samples are in <see cref="MtpAcceptanceTests"/>): one cycle per run with
/// the right result per case key, 3 requests plus the polls, and an expired URL and a FAILED import reported clearly.
/// </summary>
public sealed class QMetryAcceptanceTests(SampleRuns samples)
{
    public static TheoryData<string, bool> AllSamplesBothFlavours
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var sample in DemoCommand.Samples)
            {
                data.Add(sample, true);
                data.Add(sample, false);
            }
            return data;
        }
    }

    internal static Dictionary<string, string?> Environment(Uri sandbox, bool cloud) => cloud
        ? new() { ["TMS_TARGET"] = "qmetry-cloud", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey }
        : new() { ["TMS_TARGET"] = "qmetry", ["TMS_BASE_URL"] = sandbox.ToString(), ["TMS_API_KEY"] = SandboxSeed.DemoQMetryApiKey, ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" };

    internal static IReadOnlyList<JsonElement> Cycles(JsonDocument state, bool cloud) =>
        state.RootElement.GetProperty(cloud ? "qmetry" : "qmetryServer").GetProperty("cycles").EnumerateArray().ToList();

    private static readonly Dictionary<string, string> ExpectedResults = new()
    {
        ["DEMO-TC-1"] = "Pass", ["DEMO-TC-2"] = "Pass", ["DEMO-TC-3"] = "Fail", ["DEMO-TC-4"] = "Not Executed",
        ["DEMO-TC-5"] = "Pass", ["DEMO-TC-6"] = "Pass", ["DEMO-TC-7"] = "Pass",
    };

    /// <summary>One cycle with a result per case key (matched by key), requirement links, 3 requests plus polls, evidence named as not carried.</summary>
    internal static void AssertLanded(SampleRun run, JsonDocument state, bool cloud)
    {
        var cycle = Assert.Single(Cycles(state, cloud));
        Assert.Empty(Cycles(state, !cloud));
        Assert.True(cycle.GetProperty("created").GetBoolean());
        Assert.EndsWith(" sample run", cycle.GetProperty("summary").GetString()); // the sample's tmsbridge.json summary
        Assert.Contains("TmsBridge run ", cycle.GetProperty("description").GetString());
        var executions = cycle.GetProperty("executions").EnumerateArray().ToList();
        Assert.Equal(ExpectedResults.OrderBy(p => p.Key),
            executions.ToDictionary(e => e.GetProperty("testCaseKey").GetString()!, e => e.GetProperty("status").GetString()!).OrderBy(p => p.Key));
        Assert.All(executions, e => Assert.Equal("key", e.GetProperty("matched").GetString()));
        var tc1 = executions.Single(e => e.GetProperty("testCaseKey").GetString() == "DEMO-TC-1");
        Assert.Equal(["DEMO-100", "DEMO-101"], Strings(tc1, "storyKeys").Order());
        Assert.Contains("expected total 107.00", executions.Single(e => e.GetProperty("testCaseKey").GetString() == "DEMO-TC-3").GetProperty("comment").GetString());
        Assert.Empty(state.RootElement.GetProperty(cloud ? "qmetry" : "qmetryServer").GetProperty("createdCases").EnumerateArray());

        // 3 requests + the polls: importresult, the upload, then track until SUCCESS (the sandbox says "still running" once).
        using var report = run.Report();
        var urls = report.RootElement.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("method").GetString() + " " + new Uri(r.GetProperty("url").GetString()!).AbsolutePath).ToList();
        var import = cloud ? "/rest/api/automation/importresult" : "/rest/qtm4j/automation/latest/importresult";
        Assert.Equal(["POST " + import, cloud ? "PUT /qtm4j-storage/" : "POST " + import + "/upload/", "GET " + import + "/track", "GET " + import + "/track"],
            urls.Select(u => u.Contains("/qtm4j-storage/", StringComparison.Ordinal) ? "PUT /qtm4j-storage/" : u.Contains("/upload/", StringComparison.Ordinal) ? u[..(u.IndexOf("/upload/", StringComparison.Ordinal) + 8)] : u));
        var key = cycle.GetProperty("key").GetString();
        Assert.Equal(key, report.RootElement.GetProperty("execution").GetProperty("key").GetString());
        Assert.Equal(0, report.RootElement.GetProperty("execution").GetProperty("counts").GetProperty("testCasesCreated").GetInt32());
        Assert.Contains(run.TmsLines, l => l.Contains($"created {key}", StringComparison.Ordinal) && l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("a JUnit import carries no attachments: 3 evidence file(s) not sent", StringComparison.Ordinal));
        Assert.Equal(3, report.RootElement.GetProperty("skippedEvidence").GetArrayLength());
        Assert.DoesNotContain(SandboxSeed.DemoQMetryApiKey, File.ReadAllText(Directory.GetFiles(run.RunFolder, "*.report.json").Single()));
        Assert.DoesNotContain(SandboxSeed.DemoQMetryApiKey, run.Process.Output);
        Assert.Equal(11, run.JournalResults());
    }

    [Theory]
    [MemberData(nameof(AllSamplesBothFlavours))]
    public async Task Sample_run_lands_as_one_cycle_with_the_result_per_case_key(string sample, bool cloud)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, Environment(sandbox.BaseAddress, cloud));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertLanded(run, state, cloud);
    }

    [Fact]
    public async Task With_an_Open_API_key_the_evidence_lands_on_the_executions_byte_for_byte()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(sandbox.BaseAddress, cloud: true);
        environment["TMS_QMETRY_OPEN_API_KEY"] = SandboxSeed.DemoQMetryOpenApiKey;

        var run = await samples.RunAsync("MSTestSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var executions = Assert.Single(Cycles(state, cloud: true)).GetProperty("executions").EnumerateArray()
            .ToDictionary(e => e.GetProperty("testCaseKey").GetString()!, e => e.GetProperty("attachments").EnumerateArray().ToDictionary(a => a.GetProperty("filename").GetString()!, a => a.GetProperty("sha256").GetString()));
        var screen = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
        Assert.Equal(SampleRuns.Sha256(screen), executions["DEMO-TC-1"]["screen.png"]);
        Assert.Equal(SampleRuns.Sha256(System.Text.Encoding.UTF8.GetBytes("user=alice logged in at 2026-01-01T09:00:00Z\n")), executions["DEMO-TC-1"]["login-log.txt"]);
        Assert.Equal(SampleRuns.Sha256(System.Text.Encoding.UTF8.GetBytes("cart=42 subtotal=100.00 tax=missing\n")), executions["DEMO-TC-3"]["checkout-log.txt"]);
        Assert.All(executions.Where(e => e.Key is not ("DEMO-TC-1" or "DEMO-TC-3")), e => Assert.Empty(e.Value));
        using var report = run.Report();
        Assert.Equal(0, report.RootElement.GetProperty("skippedEvidence").GetArrayLength());
        // 3 + 2 polls, then one listing page and 2 requests per file.
        Assert.Equal(4 + 1 + 2 * 3, report.RootElement.GetProperty("requests").GetArrayLength());
        Assert.DoesNotContain(SandboxSeed.DemoQMetryOpenApiKey, run.Process.Output);
    }

    [Fact]
    public async Task An_expired_upload_URL_restarts_once_and_a_second_expiry_is_reported_clearly()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        (await http.PostAsync(new Uri(sandbox.BaseAddress, "_sandbox/qmetry/expire-uploads?count=1"), null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var restarted = await samples.RunAsync("NUnitSample", Environment(sandbox.BaseAddress, cloud: true));

        SampleRun.AssertSampleOutcomeUnchanged(restarted);
        Assert.Contains(restarted.TmsLines, l => l.Contains("upload URL had expired (HTTP 403); asking for a new one", StringComparison.Ordinal));
        Assert.Contains(restarted.TmsLines, l => l.Contains("7 sent, 0 refused, 0 not sent", StringComparison.Ordinal));

        (await http.PostAsync(new Uri(sandbox.BaseAddress, "_sandbox/qmetry/expire-uploads?count=2"), null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var failed = await samples.RunAsync("NUnitSample", Environment(sandbox.BaseAddress, cloud: false));

        SampleRun.AssertSampleOutcomeUnchanged(failed);
        Assert.Contains(failed.TmsLines, l => l.Contains("QMetry Server/DC: step 2 (upload): the upload URL was refused as expired twice (HTTP 403); nothing was imported.", StringComparison.Ordinal));
        Assert.Contains(failed.TmsLines, l => l.Contains("0 sent, 0 refused, 7 not sent", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Empty(Cycles(state, cloud: false));
    }

    [Fact]
    public async Task A_FAILED_import_refuses_every_key_with_QMetry_s_message()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        (await http.PostAsync(new Uri(sandbox.BaseAddress, "_sandbox/qmetry/fail-imports?count=1&message=Project%20DEMO%20is%20archived"), null, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var run = await samples.RunAsync("XunitSample", Environment(sandbox.BaseAddress, cloud: true));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("FAILED: Project DEMO is archived", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("0 sent, 7 refused, 0 not sent", StringComparison.Ordinal));
        using var report = run.Report();
        Assert.All(report.RootElement.GetProperty("keys").EnumerateArray(), k =>
        {
            Assert.Equal("refused", k.GetProperty("state").GetString());
            Assert.Contains("import FAILED: Project DEMO is archived", k.GetProperty("messages").EnumerateArray().Select(m => m.GetString()));
        });
    }
}

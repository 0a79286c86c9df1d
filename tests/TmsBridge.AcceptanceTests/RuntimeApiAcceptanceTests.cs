using System.Text.Json;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// The runtime API (TmsBridge.Tms) through real `dotnet test --logger tms` on samples/runtime: in each
/// framework, the test with three steps (the second fails with a screenshot) lands with its steps, their
/// statuses and the step's evidence; the test with no attribute that calls Tms.Key("DEMO-9") lands on DEMO-9.
/// The MTP runs of the same tests are in MtpAcceptanceTests.
/// </summary>
public sealed class RuntimeApiAcceptanceTests(SampleRuns samples)
{
    private static readonly byte[] ScreenPng = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));

    public static TheoryData<string> StepsSamples => new(
        "runtime/NUnitStepsSample", "runtime/XunitStepsSample", "runtime/XunitV2StepsSample", "runtime/MSTestStepsSample");

    internal static Dictionary<string, string?> XrayEnvironment(Uri sandbox) => new()
    {
        ["TMS_TARGET"] = "xray",
        ["TMS_BASE_URL"] = sandbox.ToString(),
        ["TMS_USER"] = "admin",
        ["TMS_PASSWORD"] = "admin",
    };

    /// <summary>What the steps sample must look like in the Xray sandbox, whichever framework and runner ran it.</summary>
    internal static void AssertStepsLandedInXray(JsonDocument state, SampleRun run)
    {
        Assert.True(Executions(state).Count == 1, run.Process.Output);
        var execution = Executions(state)[0];
        Assert.Equal("FAIL", Test(execution, "DEMO-8").GetProperty("status").GetString());
        Assert.Equal("PASS", Test(execution, "DEMO-9").GetProperty("status").GetString());

        // The steps, in order, with their statuses, the failed step's message and evidence, in the Test Run comment.
        var comment = Test(execution, "DEMO-8").GetProperty("comment").GetString()!;
        Assert.Contains("the cart still holds 3 items after the refused payment", comment);
        Assert.Matches(@"1\. PASSED Open the cart \([0-9.]+ s\)\n2\. FAILED Pay with the declined card \([0-9.]+ s\) — InvalidOperationException: payment refused: card declined \[evidence: declined\.png\]\n3\. PASSED See the error page", comment);
        Assert.Contains("checkout failed: card declined", comment);
        Assert.DoesNotContain("##tmsbridge", comment);

        // The failed step's screenshot reaches the test with the bytes the test attached.
        var shot = Assert.Single(Test(execution, "DEMO-8").GetProperty("evidence").EnumerateArray());
        Assert.Equal("declined.png", shot.GetProperty("filename").GetString());
        Assert.Equal("image/png", shot.GetProperty("contentType").GetString());
        Assert.Equal(SampleRuns.Sha256(ScreenPng), shot.GetProperty("sha256").GetString());

        // No attribute: the key came from Tms.Key at run time, with its comment and step.
        var demo9 = Test(execution, "DEMO-9").GetProperty("comment").GetString()!;
        Assert.Contains("price list for eu found", demo9);
        Assert.Contains("1. PASSED Look up the region's price list", demo9);
    }

    [Theory]
    [MemberData(nameof(StepsSamples))]
    public async Task Steps_sample_lands_in_Xray_with_steps_statuses_evidence_and_run_time_keys(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, XrayEnvironment(sandbox.BaseAddress));

        Assert.Equal(1, run.Process.ExitCode);
        Assert.Contains(run.Process.Lines, l => l.Contains("Failed:     1, Passed:     1, Skipped:     0, Total:     2", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertStepsLandedInXray(state, run);
    }

    [Theory]
    [MemberData(nameof(StepsSamples))]
    public async Task Steps_sample_lands_in_AIO_Cloud_with_steps_in_the_comment_and_the_steps_evidence(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, new Dictionary<string, string?>
        {
            ["TMS_TARGET"] = "aio-cloud",
            ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["TMS_TOKEN"] = "sandbox-aio-token",
        });

        Assert.Equal(1, run.Process.ExitCode);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycles = state.RootElement.GetProperty("aio").GetProperty("cycles").EnumerateArray().ToList();
        Assert.True(cycles.Count == 1, run.Process.Output);
        var cycle = cycles[0];
        var runs = cycle.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("testCaseKey").GetString()!);
        Assert.Equal("Failed", runs["DEMO-TC-8"].GetProperty("status").GetString());
        Assert.Equal("Passed", runs["DEMO-TC-9"].GetProperty("status").GetString());
        var comment = string.Join("\n", Strings(runs["DEMO-TC-8"], "comments"));
        Assert.Contains("2. FAILED Pay with the declined card", comment);
        Assert.Contains("3. PASSED See the error page", comment);
        var shot = Assert.Single(runs["DEMO-TC-8"].GetProperty("attachments").EnumerateArray());
        Assert.Equal("declined.png", shot.GetProperty("filename").GetString());
        Assert.Equal(SampleRuns.Sha256(ScreenPng), shot.GetProperty("sha256").GetString());
        Assert.Contains("price list for eu found", string.Join("\n", Strings(runs["DEMO-TC-9"], "comments")));
    }
}

using System.Text.Json;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// The runtime API (TmsBridge.Tms) through real `dotnet test --logger tms` on samples/runtime: in each
/// framework, the test with three steps (the second fails with a screenshot) lands on the Manual test DEMO-8
/// (three steps in the sandbox seed) as step results with their statuses and the step's evidence, in Xray
/// Server/DC and Cloud; the test with no attribute that calls Tms.Key("DEMO-9") lands on DEMO-9.
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

    /// <summary>What the steps sample must look like in the Xray (Server/DC) sandbox, whichever framework and runner ran it.</summary>
    internal static void AssertStepsLandedInXray(JsonDocument state, SampleRun run) =>
        AssertStepsLandedInXray(Executions(state), run, "PASS", "FAIL", "evidence");

    /// <summary>
    /// DEMO-8 is a Manual test with three steps in the sandbox's seed: the three runtime steps land as its step
    /// results (in the data row's iteration: the test sets a parameter), each with its status, the failed one
    /// with its message and its screenshot; nothing of them is left as text or on the test. DEMO-9 is Generic:
    /// its step stays text in the comment.
    /// </summary>
    internal static void AssertStepsLandedInXray(IReadOnlyList<JsonElement> executions, SampleRun run, string pass, string fail, string evidenceProperty)
    {
        Assert.True(executions.Count == 1, run.Process.Output);
        var execution = executions[0];
        var demo8 = Test(execution, "DEMO-8");
        Assert.Equal(fail, demo8.GetProperty("status").GetString());
        Assert.Equal(pass, Test(execution, "DEMO-9").GetProperty("status").GetString());

        var iteration = Assert.Single(demo8.GetProperty("iterations").EnumerateArray());
        var steps = iteration.GetProperty("steps").EnumerateArray().ToList();
        Assert.True(steps.Count == 3, run.Process.Output);
        Assert.Equal([pass, fail, pass], steps.Select(s => s.GetProperty("status").GetString()));
        Assert.Equal(["Open the cart", "Pay with the declined card", "See the error page"], steps.Select(s => s.GetProperty("comment").GetString()));
        Assert.Equal("InvalidOperationException: payment refused: card declined", steps[1].GetProperty("actualResult").GetString());
        // The failed step's screenshot is on that step, with the bytes the test attached; not on the test.
        var shot = Assert.Single(steps[1].GetProperty("evidence").EnumerateArray());
        Assert.Equal("declined.png", shot.GetProperty("filename").GetString());
        Assert.Equal("image/png", shot.GetProperty("contentType").GetString());
        Assert.Equal(SampleRuns.Sha256(ScreenPng), shot.GetProperty("sha256").GetString());
        Assert.Empty(demo8.GetProperty(evidenceProperty).EnumerateArray());

        // The run's comment keeps the runtime comment and the failure, without the steps as text.
        var comment = demo8.GetProperty("comment").GetString()!;
        Assert.Contains("the cart still holds 3 items after the refused payment", comment);
        Assert.Contains("checkout failed: card declined", comment);
        Assert.DoesNotContain("Steps:", comment);
        Assert.DoesNotContain("##tmsbridge", comment);

        // No attribute: the key came from Tms.Key at run time, with its comment and (Generic test) its step as text.
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
    public async Task Steps_sample_lands_in_Xray_Cloud_with_step_results_on_the_Manual_test(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync(sample, new Dictionary<string, string?>
        {
            ["TMS_TARGET"] = "xray-cloud",
            ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(),
            ["TMS_CLIENT_ID"] = XrayCloudAcceptanceTests.ClientId,
            ["TMS_CLIENT_SECRET"] = XrayCloudAcceptanceTests.ClientSecret,
            ["TMS_PROJECT"] = "DEMO",
        });

        Assert.Equal(1, run.Process.ExitCode);
        using var state = await ReadAsync(sandbox.BaseAddress);
        AssertStepsLandedInXray(state.RootElement.GetProperty("xrayCloud").GetProperty("executions").EnumerateArray().ToList(), run, "PASSED", "FAILED", "evidence");
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

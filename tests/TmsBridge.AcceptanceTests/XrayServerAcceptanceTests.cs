using System.Text;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using TmsBridge.Sandbox.Seed;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

[assembly: AssemblyFixture(typeof(TmsBridge.AcceptanceTests.SampleRuns))]

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Each sample, run with real `dotnet test --logger tms`, lands in the Xray Server/DC sandbox with
/// the statuses the tests really had; and reporting trouble never changes the test command's result.
/// </summary>
public sealed class XrayServerAcceptanceTests(SampleRuns samples)
{
    public static TheoryData<string> AllSamples => new(DemoCommand.Samples);

    private static readonly byte[] ScreenPng = File.ReadAllBytes(Path.Combine(SampleRuns.RepositoryRoot, "samples", "evidence", "screen.png"));
    private static readonly byte[] LoginLog = Encoding.UTF8.GetBytes("user=alice logged in at 2026-01-01T09:00:00Z\n");
    private static readonly byte[] CheckoutLog = Encoding.UTF8.GetBytes("cart=42 subtotal=100.00 tax=missing\n");

    private static Dictionary<string, string?> XrayEnvironment(Uri sandbox, string? password = "admin") => new()
    {
        ["TMS_TARGET"] = "xray",
        ["TMS_BASE_URL"] = sandbox.ToString(),
        ["TMS_USER"] = "admin",
        ["TMS_PASSWORD"] = password,
    };

    [Theory]
    [MemberData(nameof(AllSamples))]
    public async Task Sample_run_lands_as_one_execution_with_real_statuses_iterations_evidence_and_links(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress);
        environment["TMS_ENVIRONMENTS"] = "ci;linux";
        environment["TMS_VERSION"] = "v1.1";

        var run = await samples.RunAsync(sample, environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("DEMO", execution.GetProperty("project").GetString());
        Assert.Equal("v1.1", execution.GetProperty("version").GetString());
        Assert.Equal(["ci", "linux"], Strings(execution, "testEnvironments"));
        // The summary comes from the sample's tmsbridge.json (found from the working directory).
        Assert.EndsWith(" sample run", execution.GetProperty("summary").GetString());

        var expected = new Dictionary<string, string>
        {
            ["DEMO-1"] = "PASS", ["DEMO-2"] = "PASS", ["DEMO-3"] = "FAIL", ["DEMO-4"] = "TODO",
            ["DEMO-5"] = "PASS", ["DEMO-6"] = "PASS", ["DEMO-7"] = "PASS",
        };
        var actual = execution.GetProperty("tests").EnumerateArray().ToDictionary(t => t.GetProperty("testKey").GetString()!, t => t.GetProperty("status").GetString()!);
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));

        // Data rows of DEMO-2: one Test Run, an iteration per row, carrying the row's argument.
        var rows = Test(execution, "DEMO-2").GetProperty("iterations").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal(["bob", "eve", "mallory"], rows.Select(r => r.GetProperty("parameters")[0].GetProperty("value").GetString()).Order());
        Assert.All(rows, r => Assert.Equal("PASS", r.GetProperty("status").GetString()));
        Assert.Equal(["DEMO-200"], Strings(Test(execution, "DEMO-2"), "defects"));

        // Two tests sharing the class-level key DEMO-7: two iterations named by test.
        var reports = Test(execution, "DEMO-7").GetProperty("iterations").EnumerateArray().ToList();
        Assert.Equal(["Daily_report_is_generated", "Weekly_report_is_generated"], reports.Select(r => r.GetProperty("parameters")[0].GetProperty("value").GetString()).Order());

        // Evidence bytes equal the files the tests attached.
        var evidence = Test(execution, "DEMO-1").GetProperty("evidence").EnumerateArray().ToDictionary(e => e.GetProperty("filename").GetString()!, e => e);
        Assert.Equal(SampleRuns.Sha256(ScreenPng), evidence["screen.png"].GetProperty("sha256").GetString());
        Assert.Equal("image/png", evidence["screen.png"].GetProperty("contentType").GetString());
        Assert.Equal(SampleRuns.Sha256(LoginLog), evidence["login-log.txt"].GetProperty("sha256").GetString());
        var checkout = Assert.Single(Test(execution, "DEMO-3").GetProperty("evidence").EnumerateArray());
        Assert.Equal(SampleRuns.Sha256(CheckoutLog), checkout.GetProperty("sha256").GetString());

        // The failure's message and output reach the Test Run comment; the defect is linked.
        var failed = Test(execution, "DEMO-3");
        Assert.Contains("expected total 107.00", failed.GetProperty("comment").GetString());
        Assert.Contains("computing total for cart 42", failed.GetProperty("comment").GetString());
        Assert.Equal(["DEMO-201"], Strings(failed, "defects"));

        // [Covers] at class and method level become requirement links.
        var links = Links(state).ToHashSet();
        Assert.Contains(("DEMO-1", "DEMO-100"), links);
        Assert.Contains(("DEMO-1", "DEMO-101"), links);
        Assert.Contains(("DEMO-2", "DEMO-100"), links);
        Assert.DoesNotContain(links, l => l.Test == "DEMO-3");

        // One import request for the whole run; summary names the execution and its URL; unmapped listed.
        Assert.Equal(1, state.RootElement.GetProperty("requestCounts").GetProperty("POST /rest/raven/2.0/import/execution").GetInt32());
        var key = execution.GetProperty("key").GetString();
        Assert.Contains(run.TmsLines, l => l.Contains($"created {key} {sandbox.BaseAddress}browse/{key}", StringComparison.Ordinal) && l.Contains("7 sent, 0 refused", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("malformed key 'demo_9'", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("Helper_formats_dates (no TestCaseKey)", StringComparison.Ordinal));
        Assert.Equal(11, run.JournalResults());
    }

    [Fact]
    public async Task Unknown_key_is_a_partial_failure_named_in_the_summary_and_report()
    {
        var seed = SandboxSeed.CreateDefault();
        seed.Projects[0].Tests = ["DEMO-1..DEMO-6"]; // DEMO-7 does not exist on this instance
        seed.Projects[0].ManualTests.Clear(); // nor does the seed's Manual test DEMO-8 (the seed refuses a Manual test outside its tests)
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = seed }, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync("NUnitSample", XrayEnvironment(sandbox.BaseAddress));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("6 sent, 1 refused", StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("DEMO-7 refused by Xray Server/DC", StringComparison.Ordinal) && l.Contains("DEMO-7", StringComparison.Ordinal));
        using var report = run.Report();
        var demo7 = report.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("key").GetString() == "DEMO-7");
        Assert.Equal("refused", demo7.GetProperty("state").GetString());
        Assert.Contains("not found", demo7.GetProperty("messages")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(6, execution.GetProperty("tests").GetArrayLength());
    }

    [Fact]
    public async Task Wrong_password_gives_a_clear_401_keeps_the_journal_and_leaves_the_exit_code_alone()
    {
        const string wrongPassword = "not-the-right-one-4711";
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await samples.RunAsync("MSTestSample", XrayEnvironment(sandbox.BaseAddress, wrongPassword));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("401", StringComparison.Ordinal) && l.Contains("credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(wrongPassword, run.Process.Output);
        Assert.DoesNotContain(wrongPassword, File.ReadAllText(Directory.GetFiles(run.RunFolder, "*.report.json").Single()));
        Assert.DoesNotContain(wrongPassword, File.ReadAllText(run.JournalPath));
        Assert.Equal(11, run.JournalResults());
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Empty(Executions(state));
    }

    [Fact]
    public async Task Personal_access_token_authenticates_as_bearer()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress, password: null);
        environment["TMS_USER"] = null;
        environment["TMS_TOKEN"] = "sandbox-pat-token";

        var run = await samples.RunAsync("XunitSample", environment);

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal(7, Assert.Single(Executions(state)).GetProperty("tests").GetArrayLength());
    }

    [Fact]
    public async Task Dead_server_loses_nothing_and_tmsbridge_publish_sends_the_journal_later()
    {
        var deadUrl = SampleRuns.DeadLoopbackUrl();

        var run = await samples.RunAsync("XunitV2Sample", XrayEnvironment(deadUrl));

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.Contains(run.TmsLines, l => l.Contains("error", StringComparison.Ordinal) && l.Contains(deadUrl.Authority, StringComparison.Ordinal));
        Assert.Contains(run.TmsLines, l => l.Contains("nothing is lost", StringComparison.Ordinal));
        Assert.Equal(11, run.JournalResults());

        // Later, with the server back: the CLI publishes from the journal.
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var publish = await SampleRuns.RunCliAsync(
            ["publish", run.JournalPath, "--base-url", sandbox.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" });
        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
        Assert.Equal(2, Test(execution, "DEMO-1").GetProperty("evidence").GetArrayLength());
        Assert.Contains("\"type\":\"publish\"", File.ReadAllText(run.JournalPath));
    }

    [Fact]
    public async Task Journals_of_two_projects_are_merged_by_tmsbridge_publish_into_one_execution()
    {
        var deadUrl = SampleRuns.DeadLoopbackUrl();
        var offline = XrayEnvironment(deadUrl);
        offline["TMS_MAX_RETRIES"] = "0";
        var nunit = await samples.RunAsync("NUnitSample", offline);
        var mstest = await samples.RunAsync("MSTestSample", offline);

        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var publish = await SampleRuns.RunCliAsync(
            ["publish", nunit.JournalPath, mstest.JournalPath, "--base-url", sandbox.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" });

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(7, execution.GetProperty("tests").GetArrayLength());
        // Each key carries the results of both projects: DEMO-2's three rows twice, DEMO-3 failed in both.
        Assert.Equal(6, Test(execution, "DEMO-2").GetProperty("iterations").GetArrayLength());
        Assert.Equal("FAIL", Test(execution, "DEMO-3").GetProperty("status").GetString());

        // Publishing the same journals again sends nothing: every key is marked sent in both.
        var again = await SampleRuns.RunCliAsync(
            ["publish", nunit.JournalPath, mstest.JournalPath, "--base-url", sandbox.BaseAddress.ToString()],
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" });
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains(again.Lines, l => l.Contains("already sent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailOnPublishError_is_the_only_way_reporting_changes_the_exit_code()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress, "wrong-password");
        string[] onlyPassingKeyedTest = ["--filter", "FullyQualifiedName~Password_reset_sends_mail"];

        var tolerant = await samples.RunAsync("NUnitSample", environment, onlyPassingKeyedTest);
        Assert.True(tolerant.Process.ExitCode == 0, tolerant.Process.Output);
        Assert.Contains(tolerant.TmsLines, l => l.Contains("401", StringComparison.Ordinal));

        environment["TMS_FAIL_ON_PUBLISH_ERROR"] = "true";
        var strict = await samples.RunAsync("NUnitSample", environment, onlyPassingKeyedTest);
        Assert.NotEqual(0, strict.Process.ExitCode);
        Assert.Contains(strict.TmsLines, l => l.Contains("failOnPublishError", StringComparison.Ordinal));
        // vstest still finishes normally: its own summary line is printed after TmsBridge's.
        Assert.Contains(strict.Process.Lines, l => l.TrimStart().StartsWith("Passed!", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runsettings_and_logger_parameters_layer_over_the_environment()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        // The environment says "do not publish" and names another project; runsettings and the
        // --logger parameters (higher layers) win. Credentials still come from the environment.
        var environment = XrayEnvironment(sandbox.BaseAddress);
        environment["TMS_TARGET"] = "none";
        environment["TMS_PROJECT"] = "NOPE";
        environment["TMS_BASE_URL"] = null;

        var run = await samples.RunAsync("MSTestSample", environment,
            "--settings", Path.Combine(SampleRuns.RepositoryRoot, "samples", "xray.runsettings"),
            "--logger", $"tms;baseUrl={sandbox.BaseAddress};summary=from logger parameters");

        SampleRun.AssertSampleOutcomeUnchanged(run);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("DEMO", execution.GetProperty("project").GetString());
        Assert.Equal("from logger parameters", execution.GetProperty("summary").GetString());
        Assert.Equal(["linux", "ci"], Strings(execution, "testEnvironments"));
    }
}

using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// The Microsoft.Testing.Platform front-end, through real `dotnet test` in MTP mode (samples/mtp has
/// its own global.json with "test": { "runner": "Microsoft.Testing.Platform" }): what lands in the
/// sandbox must equal what the VSTest logger sends for the same tests; the same works for a package
/// consumer; a project on MTP 1.x gets the TMS001 build warning instead of a crash.
/// </summary>
public sealed class MtpAcceptanceTests(SampleRuns samples)
{
    private static readonly string MtpSamples = Path.Combine(SampleRuns.RepositoryRoot, "samples", "mtp");

    public static TheoryData<string, string> MtpAndVsTestPairs => new()
    {
        { "MSTestMtpSample", "MSTestSample" },
        { "XunitMtpSample", "XunitSample" },
    };

    private static Dictionary<string, string?> XrayEnvironment(Uri sandbox, string? password = "admin") => new()
    {
        ["TMS_TARGET"] = "xray",
        ["TMS_BASE_URL"] = sandbox.ToString(),
        ["TMS_USER"] = "admin",
        ["TMS_PASSWORD"] = password,
    };

    [Theory]
    [MemberData(nameof(MtpAndVsTestPairs))]
    public async Task Mtp_run_lands_in_the_sandbox_exactly_as_the_VSTest_run_of_the_same_tests(string mtpSample, string vsTestSample)
    {
        await using var vsTestSandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var vsTest = await samples.RunAsync(vsTestSample, XrayEnvironment(vsTestSandbox.BaseAddress));
        Assert.Equal(1, vsTest.Process.ExitCode);

        await using var mtpSandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var mtp = await RunMtpSampleAsync(mtpSample, XrayEnvironment(mtpSandbox.BaseAddress));

        // MTP's own verdict is unchanged by TmsBridge: exit code 2 (a test failed), 11 results.
        Assert.True(mtp.Process.ExitCode == 2, mtp.Process.Output);
        Assert.Contains(mtp.Process.Lines, l => l.Trim() == "total: 11");
        Assert.Contains(mtp.Process.Lines, l => l.Trim() == "failed: 1");
        Assert.Contains(mtp.Process.Lines, l => l.Trim() == "skipped: 1");
        Assert.Equal(11, mtp.JournalResults());

        using var vsTestState = await ReadAsync(vsTestSandbox.BaseAddress);
        using var mtpState = await ReadAsync(mtpSandbox.BaseAddress);
        var vsTestExecution = Assert.Single(Executions(vsTestState));
        var mtpExecution = Assert.Single(Executions(mtpState));

        // Statuses, iterations (with their parameters), evidence bytes, defects and requirement links: equal.
        Assert.Equal(Normalize(vsTestExecution), Normalize(mtpExecution));
        Assert.Equal(Links(vsTestState).Order(), Links(mtpState).Order());
        Assert.Equal(7, mtpExecution.GetProperty("tests").GetArrayLength());
        Assert.Equal(3, Test(mtpExecution, "DEMO-2").GetProperty("iterations").GetArrayLength());
        Assert.Equal(2, Test(mtpExecution, "DEMO-1").GetProperty("evidence").GetArrayLength());

        // The failure's message and output reach the comment (wording of the assertion differs by runner).
        var failed = Test(mtpExecution, "DEMO-3").GetProperty("comment").GetString();
        Assert.Contains("expected total 107.00", failed);
        Assert.Contains("computing total for cart 42", failed);

        // testconfig.json's "tmsBridge" section (summary) layers over tmsbridge.json (project).
        Assert.EndsWith("MTP sample run", mtpExecution.GetProperty("summary").GetString());
        Assert.Equal("DEMO", mtpExecution.GetProperty("project").GetString());

        // The same summary lines as the VSTest logger, shown by `dotnet test` under the failed app's output.
        var key = mtpExecution.GetProperty("key").GetString();
        Assert.Contains(mtp.TmsLines, l => l.Contains($"created {key} {mtpSandbox.BaseAddress}browse/{key}", StringComparison.Ordinal) && l.Contains("7 sent, 0 refused", StringComparison.Ordinal));
        Assert.Contains(mtp.TmsLines, l => l.Contains("malformed key 'demo_9'", StringComparison.Ordinal));
        Assert.Equal("mtp", ReadJournalHeader(mtp.JournalPath).GetProperty("runner").GetString());
    }

    [Fact]
    public async Task Mtp_run_lands_in_RTM_Server_as_one_execution_with_per_tce_results()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = RtmAcceptanceTests.Environment(sandbox.BaseAddress, cloud: false);
        // testconfig.json's summary and tmsbridge.json's project apply as under VSTest.
        var run = await RunMtpSampleAsync("XunitMtpSample", environment);

        Assert.True(run.Process.ExitCode == 2, run.Process.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        RtmAcceptanceTests.AssertSampleLanded(run, state, cloud: false, mtp: true);
    }

    [Fact]
    public async Task Command_line_options_layer_over_testconfig_and_the_environment_and_are_validated()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress);
        environment["TMS_TARGET"] = "none";
        environment["TMS_PROJECT"] = "NOPE";
        environment["TMS_ENVIRONMENTS"] = "from-env";

        var run = await RunMtpSampleAsync("MSTestMtpSample", environment,
            "--tms-target", "xray", "--tms-project", "DEMO", "--tms-summary", "from the command line", "--tms-environments", "linux;mtp");

        Assert.True(run.Process.ExitCode == 2, run.Process.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("DEMO", execution.GetProperty("project").GetString());
        Assert.Equal("from the command line", execution.GetProperty("summary").GetString());
        Assert.Equal(["linux", "mtp"], Strings(execution, "testEnvironments"));

        // A bad value is refused by the options provider before any test runs.
        var bad = await RunMtpSampleAsync("MSTestMtpSample", environment, "--tms-target", "jira-please");
        Assert.NotEqual(0, bad.Process.ExitCode);
        Assert.Contains(bad.Process.Lines, l => l.Contains("TmsBridge", StringComparison.Ordinal) && l.Contains("jira-please", StringComparison.Ordinal));
    }

    public static TheoryData<string> MtpStepsSamples => new("MSTestMtpStepsSample", "XunitMtpStepsSample", "NUnitMtpStepsSample");

    /// <summary>The runtime API under MTP: the same steps, statuses, evidence and run-time keys as under VSTest
    /// (RuntimeApiAcceptanceTests), read by the MTP extension from the same test process.</summary>
    [Theory]
    [MemberData(nameof(MtpStepsSamples))]
    public async Task Steps_sample_in_MTP_mode_lands_with_steps_statuses_evidence_and_run_time_keys(string sample)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await RunMtpSampleAsync(sample, RuntimeApiAcceptanceTests.XrayEnvironment(sandbox.BaseAddress));

        Assert.True(run.Process.ExitCode == 2, run.Process.Output);
        Assert.Equal(2, run.JournalResults());
        using var state = await ReadAsync(sandbox.BaseAddress);
        RuntimeApiAcceptanceTests.AssertStepsLandedInXray(state, run);
    }

    [Fact]
    public async Task FailOnPublishError_fails_an_otherwise_green_MTP_run()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress, "wrong-password");
        string[] onlyPassingKeyedTest = ["--filter", "FullyQualifiedName~Password_reset_sends_mail"];

        var tolerant = await RunMtpSampleAsync("MSTestMtpSample", environment, onlyPassingKeyedTest);
        Assert.True(tolerant.Process.ExitCode == 0, tolerant.Process.Output);
        using (var report = tolerant.Report()) Assert.Contains("401", report.RootElement.GetRawText());

        environment["TMS_FAIL_ON_PUBLISH_ERROR"] = "true";
        var strict = await RunMtpSampleAsync("MSTestMtpSample", environment, onlyPassingKeyedTest);
        Assert.NotEqual(0, strict.Process.ExitCode);
        Assert.Contains(strict.TmsLines, l => l.Contains("failOnPublishError", StringComparison.Ordinal));
        Assert.Contains(strict.TmsLines, l => l.Contains("401", StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-password", strict.Process.Output);
    }

    [Fact]
    public async Task Package_consumer_in_MTP_mode_publishes_with_no_step_but_the_package_reference()
    {
        var feed = await samples.PackLocalFeedAsync();
        var consumer = Path.Combine(samples.WorkFolder, "mtp-consumer");
        Directory.CreateDirectory(consumer);
        SampleRuns.WriteNuGetConfig(consumer, feed.Folder);
        File.WriteAllText(Path.Combine(consumer, "global.json"), """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
        File.WriteAllText(Path.Combine(consumer, "Consumer.MtpTests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsTestProject>true</IsTestProject>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="xunit.v3" Version="4.0.2" />
                <PackageReference Include="TmsBridge.TestLogger" Version="{feed.Version}" />
                <PackageReference Include="TmsBridge.Xunit" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "ConsumerTests.cs"), """
            using TmsBridge;
            using Xunit;

            namespace Consumer.MtpTests;

            [Covers("DEMO-110")]
            public class ConsumerTests
            {
                [Fact, TestCaseKey("DEMO-10")]
                public void Passes_with_evidence() =>
                    TestContext.Current.AddAttachment("consumer", "from an MTP package consumer");

                [Fact, TestCaseKey("DEMO-11")]
                public void Fails() => Assert.Fail("on purpose");
            }
            """);

        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = XrayEnvironment(sandbox.BaseAddress);
        environment["TMS_PROJECT"] = "DEMO";
        var run = await DotnetProcess.RunAsync(["test", "--results-directory", Path.Combine(consumer, "results")], consumer, environment, timeout: TimeSpan.FromMinutes(8));

        Assert.True(run.ExitCode == 2, $"expected MTP's exit code 2 for the deliberate failure:\n{run.Output}");
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("PASS", Test(execution, "DEMO-10").GetProperty("status").GetString());
        Assert.Equal("FAIL", Test(execution, "DEMO-11").GetProperty("status").GetString());
        var evidence = Assert.Single(Test(execution, "DEMO-10").GetProperty("evidence").EnumerateArray());
        Assert.Equal(SampleRuns.Sha256("from an MTP package consumer"u8.ToArray()), evidence.GetProperty("sha256").GetString());
        Assert.Contains(("DEMO-10", "DEMO-110"), Links(state));
    }

    [Fact]
    public async Task Project_on_MTP_1_gets_the_TMS001_warning_and_runs_without_the_extension()
    {
        var feed = await samples.PackLocalFeedAsync();
        var consumer = Path.Combine(samples.WorkFolder, "mtp1-consumer");
        Directory.CreateDirectory(consumer);
        SampleRuns.WriteNuGetConfig(consumer, feed.Folder);
        // xunit.v3 3.x pulls xunit.v3.mtp-v1, i.e. Microsoft.Testing.Platform 1.x.
        File.WriteAllText(Path.Combine(consumer, "global.json"), """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
        File.WriteAllText(Path.Combine(consumer, "Consumer.Mtp1Tests.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsTestProject>true</IsTestProject>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="xunit.v3" Version="3.2.2" />
                <PackageReference Include="TmsBridge.TestLogger" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Mtp1Tests.cs"), """
            using Xunit;

            namespace Consumer.Mtp1Tests;

            public class Mtp1Tests
            {
                [Fact]
                public void Passes() => Assert.True(true);
            }
            """);

        var build = await DotnetProcess.RunAsync(["build", consumer], consumer, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(8));

        Assert.True(build.ExitCode == 0, build.Output);
        var warning = Assert.Single(build.Lines.Where(l => l.Contains("warning TMS001", StringComparison.Ordinal)).Distinct());
        Assert.Contains("Microsoft.Testing.Platform 1.", warning);
        Assert.Contains("xunit.v3 4.x", warning);
        Assert.Contains("NOT registered", warning);
        var generated = Directory.GetFiles(Path.Combine(consumer, "obj"), "SelfRegisteredExtensions.cs", SearchOption.AllDirectories);
        Assert.All(generated, f => Assert.DoesNotContain("TmsBridge", File.ReadAllText(f)));

        // The tests still run under `dotnet test` in MTP mode (no TypeLoadException), without TmsBridge.
        var run = await DotnetProcess.RunAsync(["test", "--no-build", "--results-directory", Path.Combine(consumer, "results")], consumer, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(3));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("TypeLoadException", run.Output);
        Assert.False(Directory.Exists(Path.Combine(consumer, "results", "tms")));
    }

    public static TheoryData<string, bool> MtpSamplesBothQMetryFlavours => new()
    {
        { "MSTestMtpSample", true }, { "MSTestMtpSample", false },
        { "XunitMtpSample", true }, { "XunitMtpSample", false },
    };

    [Theory]
    [MemberData(nameof(MtpSamplesBothQMetryFlavours))]
    public async Task Mtp_run_lands_in_QMetry_as_one_cycle_with_the_result_per_case_key(string mtpSample, bool cloud)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);

        var run = await RunMtpSampleAsync(mtpSample, QMetryAcceptanceTests.Environment(sandbox.BaseAddress, cloud));

        Assert.True(run.Process.ExitCode == 2, run.Process.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        QMetryAcceptanceTests.AssertLanded(run, state, cloud);
    }

    // ---- helpers ----

    private string MtpArtifacts => Path.Combine(samples.WorkFolder, "mtp-artifacts");
    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private static readonly HashSet<string> Built = [];

    private async Task EnsureMtpBuiltAsync(string sample)
    {
        await BuildLock.WaitAsync();
        try
        {
            if (Built.Contains(samples.WorkFolder + sample)) return;
            var result = await DotnetProcess.RunAsync(["build", Path.Combine(MtpSamples, sample), "--artifacts-path", MtpArtifacts, "-v", "q"], MtpSamples, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(5));
            if (result.ExitCode != 0) throw new InvalidOperationException($"building {sample} failed ({result.ExitCode}):\n{result.Output}");
            Built.Add(samples.WorkFolder + sample);
        }
        finally { BuildLock.Release(); }
    }

    /// <summary>
    /// `dotnet test` in MTP mode: the working directory decides the mode (the nearest global.json),
    /// the project is named with --project, and everything after the SDK's own options goes to the test app.
    /// </summary>
    internal async Task<SampleRun> RunMtpSampleAsync(string sample, IReadOnlyDictionary<string, string?> environment, params string[] extraArguments)
    {
        await EnsureMtpBuiltAsync(sample);
        var results = Path.Combine(samples.WorkFolder, "results", sample + "-" + Guid.NewGuid().ToString("N").Substring(0, 6));
        var sampleFolder = Path.Combine(MtpSamples, sample);
        string[] arguments = ["test", "--project", sampleFolder, "--no-build", "--artifacts-path", MtpArtifacts, "--results-directory", results, "--no-ansi", "--no-progress", .. extraArguments];
        var process = await DotnetProcess.RunAsync(arguments, sampleFolder, environment, timeout: TimeSpan.FromMinutes(5));
        Assert.False(process.TimedOut, "dotnet test did not finish in 5 minutes:\n" + process.Output);
        return new SampleRun(process, results);
    }

    private static JsonElement ReadJournalHeader(string journalPath)
    {
        using var doc = JsonDocument.Parse(File.ReadLines(journalPath).First());
        return doc.RootElement.Clone();
    }

    /// <summary>What must be equal between runners: per key, status, defects, iterations and evidence (by content).</summary>
    private static List<string> Normalize(JsonElement execution) =>
        execution.GetProperty("tests").EnumerateArray()
            .Select(t => string.Join(" | ",
                t.GetProperty("testKey").GetString(),
                t.GetProperty("status").GetString(),
                "defects=" + string.Join(",", Strings(t, "defects").Order()),
                "iterations=" + string.Join(",", t.GetProperty("iterations").EnumerateArray()
                    .Select(i => i.GetProperty("status").GetString() + ":" + string.Join("&", i.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString() + "=" + p.GetProperty("value").GetString())))
                    .Order()),
                "evidence=" + string.Join(",", t.GetProperty("evidence").EnumerateArray()
                    .Select(e => e.GetProperty("filename").GetString() + ":" + e.GetProperty("contentType").GetString() + ":" + e.GetProperty("sha256").GetString())
                    .Order())))
            .Order()
            .ToList();
}

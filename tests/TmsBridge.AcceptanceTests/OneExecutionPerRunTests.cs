using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 15 item 1: `dotnet test` over a solution of three small test projects, one results directory,
/// publishes exactly one execution (cycle, Test Execution) for every target; in MTP mode too; and a
/// second `dotnet test` into the same folder gets a second one. The projects are built once (VSTest and
/// MTP flavours), the runs use --no-build.
/// </summary>
public sealed class OneExecutionPerRunTests : IDisposable
{
    private static readonly string Work = Path.Combine(Path.GetTempPath(), "tmsbridge-one-execution", Guid.NewGuid().ToString("N").Substring(0, 8));
    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private static readonly HashSet<bool> Built = [];
    private readonly List<string> _results = [];

    /// <summary>The three projects and the key (each target's form) of their one passing test.</summary>
    private static readonly (string Project, string Keys)[] Projects =
        [("Alpha", "DEMO-1,DEMO-TC-1,1001"), ("Beta", "DEMO-2,DEMO-TC-2,1002"), ("Gamma", "DEMO-4,DEMO-TC-4,1004")];

    /// <summary>CI variables of the machine running these tests would make every run one group: they are cleared.</summary>
    private static readonly string[] CiVariables = ["GITHUB_RUN_ID", "BUILD_BUILDID", "TF_BUILD", "CI_PIPELINE_ID", "GITLAB_CI", "BUILD_TAG", "JENKINS_URL"];

    public void Dispose()
    {
        foreach (var r in _results)
        {
            try { Directory.Delete(r, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static TheoryData<string> TargetNames() => [.. DemoCommand.Targets.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public async Task A_solution_of_three_test_projects_publishes_one_execution(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var demo = DemoCommand.Targets.Single(t => t.Name == target);
        var before = await CountAsync(sandbox.BaseAddress, demo.StateSection);

        var run = await TestAsync(mtp: false, Environment(demo, sandbox.BaseAddress));

        Assert.True(run.ExitCode == 0, run.Output);
        var reports = Reports(run.Results);
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal(1, r.GetProperty("totals").GetProperty("sent").GetInt32()));
        var executions = reports.Select(r => r.GetProperty("execution")).ToList();
        if (target.StartsWith("rtm", StringComparison.Ordinal))
        {
            // RTM makes a TE's Test Case Executions only from the keys it is created with: without an
            // executionGroup each project keeps its own TE, as before groups, rather than lose the others' results.
            Assert.Equal(before + 3, await CountAsync(sandbox.BaseAddress, demo.StateSection));
            Assert.Equal(3, executions.Select(ExecutionOf).Distinct().Count());
            return;
        }
        // One run created it, the two others joined it; every key went there.
        Assert.Equal(before + 1, await CountAsync(sandbox.BaseAddress, demo.StateSection));
        Assert.Single(executions.Select(ExecutionOf).Distinct());
        Assert.Equal(2, executions.Count(e => e.TryGetProperty("joined", out var j) && j.GetBoolean()));
    }

    [Theory]
    [InlineData("rtm")]
    [InlineData("rtm-cloud")]
    public async Task With_an_executionGroup_RTM_creates_the_group_s_TE_from_the_whole_plan_and_every_run_finds_its_case(string target)
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var demo = DemoCommand.Targets.Single(t => t.Name == target);
        var environment = Environment(demo, sandbox.BaseAddress);
        environment["TMS_EXECUTION_GROUP"] = "nightly-" + Guid.NewGuid().ToString("N").Substring(0, 6);
        var before = await CountAsync(sandbox.BaseAddress, demo.StateSection);
        var run = await TestAsync(mtp: false, environment);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(before + 1, await CountAsync(sandbox.BaseAddress, demo.StateSection));
        Assert.All(Reports(run.Results), r => Assert.Equal(1, r.GetProperty("totals").GetProperty("sent").GetInt32()));
    }

    [Fact]
    public async Task In_MTP_mode_the_three_test_applications_publish_one_execution()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var demo = DemoCommand.Targets.Single(t => t.Name == "xray");
        var run = await TestAsync(mtp: true, Environment(demo, sandbox.BaseAddress));
        Assert.True(run.ExitCode == 0, run.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal(3, execution.GetProperty("tests").GetArrayLength());
    }

    [Fact]
    public async Task Two_dotnet_test_invocations_into_one_folder_publish_two_executions()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(DemoCommand.Targets.Single(t => t.Name == "xray"), sandbox.BaseAddress);
        var first = await TestAsync(mtp: false, environment);
        var second = await TestAsync(mtp: false, environment, first.Results);
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Output + second.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal(2, Executions(state).Count);
        Assert.All(Executions(state), e => Assert.Equal(3, e.GetProperty("tests").GetArrayLength()));
    }

    [Fact]
    public async Task Shards_with_the_same_executionGroup_and_their_own_folders_publish_one_execution()
    {
        // Two machines of one pipeline: nothing shared but the group, which the TMS lookup by marker finds.
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(DemoCommand.Targets.Single(t => t.Name == "xray"), sandbox.BaseAddress);
        environment["TMS_EXECUTION_GROUP"] = "pipeline-" + Guid.NewGuid().ToString("N").Substring(0, 6);
        var first = await TestAsync(mtp: false, environment);
        var second = await TestAsync(mtp: false, environment);
        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Output + second.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Single(Executions(state));
        Assert.All(Reports(second.Results), r => Assert.True(r.GetProperty("execution").GetProperty("joined").GetBoolean()));
    }

    [Fact]
    public async Task With_executionGroup_none_each_project_creates_its_own()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = Environment(DemoCommand.Targets.Single(t => t.Name == "xray"), sandbox.BaseAddress);
        environment["TMS_EXECUTION_GROUP"] = "none";
        var run = await TestAsync(mtp: false, environment);
        Assert.True(run.ExitCode == 0, run.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        Assert.Equal(3, Executions(state).Count);
    }

    private static Dictionary<string, string?> Environment(DemoCommand.DemoTarget target, Uri sandbox)
    {
        var environment = target.Environment(sandbox);
        foreach (var v in CiVariables) environment[v] = null;
        return environment;
    }

    private static string ExecutionOf(JsonElement execution) =>
        (execution.TryGetProperty("key", out var k) ? k.GetString() : null) ?? execution.GetProperty("id").GetString()!;

    private static List<JsonElement> Reports(string results) =>
        Directory.GetFiles(Path.Combine(results, "tms"), "*.report.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement).ToList();

    private sealed record Run(int ExitCode, string Output, string Results);

    private async Task<Run> TestAsync(bool mtp, IReadOnlyDictionary<string, string?> environment, string? results = null)
    {
        var folder = await BuildAsync(mtp);
        if (results is null)
        {
            results = Path.Combine(Work, "results", Guid.NewGuid().ToString("N").Substring(0, 8));
            _results.Add(results);
        }
        string[] arguments = mtp
            ? ["test", "--solution", Path.Combine(folder, "S.slnx"), "--no-build", "--artifacts-path", Path.Combine(folder, "artifacts"), "--results-directory", results, "--no-ansi", "--no-progress"]
            : ["test", Path.Combine(folder, "S.slnx"), "--no-build", "--artifacts-path", Path.Combine(folder, "artifacts"), "--results-directory", results, "--logger", "tms"];
        var process = await DotnetProcess.RunAsync(arguments, folder, environment, timeout: TimeSpan.FromMinutes(4));
        Assert.False(process.TimedOut, process.Output);
        return new Run(process.ExitCode, process.Output, results);
    }

    /// <summary>Writes the solution (VSTest: the tms logger; MTP: the MSTest runner and TmsBridge's MTP extension) and builds it, once per flavour.</summary>
    private static async Task<string> BuildAsync(bool mtp)
    {
        var folder = Path.Combine(Work, mtp ? "mtp" : "vstest");
        await BuildLock.WaitAsync();
        try
        {
            if (Built.Contains(mtp)) return folder;
            var src = Path.Combine(SampleRuns.RepositoryRoot, "src");
            Directory.CreateDirectory(folder);
            if (mtp) File.WriteAllText(Path.Combine(folder, "global.json"), """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
            foreach (var (project, keys) in Projects)
            {
                var dir = Path.Combine(folder, project);
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, project + ".csproj"), $"""
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                        <IsTestProject>true</IsTestProject>
                        <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                        {(mtp ? "<OutputType>Exe</OutputType><EnableMSTestRunner>true</EnableMSTestRunner>" : "")}
                      </PropertyGroup>
                      <ItemGroup>
                        {(mtp ? "" : """<PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />""")}
                        <PackageReference Include="MSTest.TestFramework" Version="4.5.3" />
                        <PackageReference Include="MSTest.TestAdapter" Version="4.5.3" />
                        <ProjectReference Include="{Path.Combine(src, "TmsBridge.TestLogger", "TmsBridge.TestLogger.csproj")}" />
                      </ItemGroup>
                      {(mtp ? $"""
                      <Import Project="{Path.Combine(src, "TmsBridge.TestLogger", "build", "TmsBridge.TestLogger.props")}" />
                      <Import Project="{Path.Combine(src, "TmsBridge.TestLogger", "build", "TmsBridge.TestLogger.targets")}" />
                      """ : "")}
                    </Project>
                    """);
                File.WriteAllText(Path.Combine(dir, "Tests.cs"), $$"""
                    using Microsoft.VisualStudio.TestTools.UnitTesting;

                    namespace {{project}};

                    [TestClass]
                    public class Tests
                    {
                        [TestMethod]
                        [TestProperty("TestCaseKey", "{{keys}}")]
                        public void Works() => Assert.AreEqual(2, 1 + 1);
                    }
                    """);
            }
            File.WriteAllText(Path.Combine(folder, "S.slnx"),
                "<Solution>\n" + string.Join("\n", Projects.Select(p => $"  <Project Path=\"{p.Project}/{p.Project}.csproj\" />")) + "\n</Solution>\n");
            var build = await DotnetProcess.RunAsync(["build", Path.Combine(folder, "S.slnx"), "--artifacts-path", Path.Combine(folder, "artifacts"), "-v", "q"], folder,
                new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(6));
            Assert.True(build.ExitCode == 0, build.Output);
            Built.Add(mtp);
            return folder;
        }
        finally { BuildLock.Release(); }
    }

    /// <summary>How many executions (Xray, RTM) or cycles (AIO, QMetry, qTest) the target's state holds.</summary>
    private static async Task<int> CountAsync(Uri sandbox, string section)
    {
        using var state = await ReadAsync(sandbox);
        var s = state.RootElement.GetProperty(section);
        return s.TryGetProperty("executions", out var e) && e.ValueKind == JsonValueKind.Array ? e.GetArrayLength() : s.GetProperty("cycles").GetArrayLength();
    }
}

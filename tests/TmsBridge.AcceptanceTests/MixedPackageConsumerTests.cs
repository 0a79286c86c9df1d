using System.Text.Json;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// One test project referencing several TmsBridge attribute packages (NUnit and MSTest side by side
/// during a migration, ...), consumed from the local feed like <see cref="PackageConsumerTests"/>.
/// Every attribute package defines public TmsBridge.TestCaseKeyAttribute etc., so without the packages'
/// build targets (extern aliases + one combined set of attributes) `[TestCaseKey]` is ambiguous
/// (CS0433). Compiling is not enough: each framework must read the attribute on its own tests, or
/// keys would be lost silently, so every test here must arrive with its keys.
/// </summary>
public sealed class MixedPackageConsumerTests(SampleRuns samples)
{
    private const string NUnitTests = """
        using NUnit.Framework;
        using TmsBridge;

        namespace Mixed.Tests;

        [TestFixture, Covers("DEMO-110")]
        public class NUnitTests
        {
            [Test, TestCaseKey("DEMO-10")]
            public void Nunit_passes() { }

            // Qualified: with ImplicitUsings, MSTest adds a global using of its namespace, so a bare
            // Assert is ambiguous in a project that has both frameworks (nothing to do with TmsBridge).
            [Test, TestCaseKey("DEMO-12", "DEMO-13"), Defect("DEMO-200")]
            public void Nunit_fails() => NUnit.Framework.Assert.Fail("on purpose");
        }
        """;

    private const string MSTestTests = """
        using Microsoft.VisualStudio.TestTools.UnitTesting;
        using TmsBridge;

        [assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

        namespace Mixed.Tests;

        [TestClass, Covers("DEMO-111")]
        public class MSTestTests
        {
            [TestMethod, TestCaseKey("DEMO-11")]
            public void Mstest_passes() { }
        }
        """;

    private const string XunitTests = """
        using TmsBridge;
        using Xunit;

        namespace Mixed.Tests;

        [Covers("DEMO-112")]
        public class XunitTests
        {
            [Fact, TestCaseKey("DEMO-14")]
            public void Xunit_passes() { }
        }
        """;

    private const string XunitV2Tests = """
        using TmsBridge;
        using Xunit;
        using Xunit.Abstractions;

        namespace Mixed.Tests;

        [Covers("DEMO-113")]
        public class XunitV2Tests(ITestOutputHelper output)
        {
            [Fact, TestCaseKey("DEMO-15")]
            public void Xunitv2_passes_with_evidence()
            {
                var file = System.IO.Path.Combine(System.AppContext.BaseDirectory, "v2.txt");
                System.IO.File.WriteAllText(file, "from xUnit v2 in a mixed project");
                TmsEvidence.Attach(output, file, "v2 evidence");
            }
        }
        """;

    [Fact]
    public async Task NUnit_and_MSTest_attribute_packages_in_one_project_compile_and_both_frameworks_report_their_keys()
    {
        var feed = await samples.PackLocalFeedAsync();
        var consumer = WriteConsumer("mixed-nunit-mstest", feed, ["NUnit", "MSTest"]);

        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var run = await DotnetProcess.RunAsync(
            ["test", consumer, "--logger", "tms", "--results-directory", Path.Combine(consumer, "results")],
            consumer,
            new Dictionary<string, string?>
            {
                ["TMS_TARGET"] = "xray", ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(),
                ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin", ["TMS_PROJECT"] = "DEMO",
            },
            timeout: TimeSpan.FromMinutes(8));

        Assert.False(run.TimedOut, run.Output);
        Assert.False(run.Lines.Any(l => l.Contains("error CS", StringComparison.Ordinal) || l.Contains("warning CS", StringComparison.Ordinal) || l.Contains("MSTEST0007", StringComparison.Ordinal)), run.Output);
        Assert.True(run.ExitCode == 1, $"expected the deliberate failure's exit code 1:\n{run.Output}");
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("PASS", Test(execution, "DEMO-10").GetProperty("status").GetString());   // NUnit
        Assert.Equal("FAIL", Test(execution, "DEMO-12").GetProperty("status").GetString());   // NUnit, two keys in one attribute
        Assert.Equal("FAIL", Test(execution, "DEMO-13").GetProperty("status").GetString());
        Assert.Equal("PASS", Test(execution, "DEMO-11").GetProperty("status").GetString());   // MSTest
        Assert.Equal(["DEMO-200"], Strings(Test(execution, "DEMO-12"), "defects"));
        var links = Links(state).ToList();
        Assert.Contains(("DEMO-10", "DEMO-110"), links);                                       // class-level, NUnit
        Assert.Contains(("DEMO-11", "DEMO-111"), links);                                       // class-level, MSTest
    }

    public static TheoryData<string[]> OtherCombinations => new()
    {
        new[] { "NUnit", "Xunit" },
        new[] { "MSTest", "Xunit.V2" },
        new[] { "NUnit", "MSTest", "Xunit" },
    };

    [Theory]
    [MemberData(nameof(OtherCombinations))]
    public async Task Other_combinations_of_attribute_packages_compile_and_every_framework_reports_its_keys(string[] packages)
    {
        var feed = await samples.PackLocalFeedAsync();
        var consumer = WriteConsumer("mixed-" + string.Join("-", packages).ToLowerInvariant(), feed, packages);
        var results = Path.Combine(consumer, "results");

        var run = await DotnetProcess.RunAsync(
            ["test", consumer, "--logger", "tms;target=none", "--results-directory", results],
            consumer, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(8));

        Assert.False(run.TimedOut, run.Output);
        var expectedExitCode = packages.Contains("NUnit") ? 1 : 0;   // Nunit_fails fails on purpose
        Assert.True(run.ExitCode == expectedExitCode, $"expected exit code {expectedExitCode}:\n{run.Output}");
        Assert.False(run.Lines.Any(l => l.Contains("warning CS", StringComparison.Ordinal)), run.Output);
        using var report = JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(results, "tms"), "*.report.json").Single()));
        var keys = report.RootElement.GetProperty("keys").EnumerateArray().ToDictionary(k => k.GetProperty("key").GetString()!);
        var expected = new List<(string Key, string Test, string Requirement)>();
        if (packages.Contains("NUnit")) expected.AddRange([("DEMO-10", "Mixed.Tests.NUnitTests.Nunit_passes", "DEMO-110"), ("DEMO-12", "Mixed.Tests.NUnitTests.Nunit_fails", "DEMO-110"), ("DEMO-13", "Mixed.Tests.NUnitTests.Nunit_fails", "DEMO-110")]);
        if (packages.Contains("MSTest")) expected.Add(("DEMO-11", "Mixed.Tests.MSTestTests.Mstest_passes", "DEMO-111"));
        if (packages.Contains("Xunit")) expected.Add(("DEMO-14", "Mixed.Tests.XunitTests.Xunit_passes", "DEMO-112"));
        if (packages.Contains("Xunit.V2")) expected.Add(("DEMO-15", "Mixed.Tests.XunitV2Tests.Xunitv2_passes_with_evidence", "DEMO-113"));
        Assert.Equal(expected.Select(e => e.Key).Order(), keys.Keys.Order());
        foreach (var (key, test, requirement) in expected)
        {
            Assert.Equal("planned", keys[key].GetProperty("state").GetString());
            Assert.Equal([test], Strings(keys[key], "tests"));
            Assert.Equal([requirement], Strings(keys[key], "requirements"));
        }

        if (packages.Contains("Xunit.V2")) Assert.Equal(1, keys["DEMO-15"].GetProperty("evidence").GetInt32());   // TmsEvidence.Attach still works
    }

    /// <summary>
    /// A fresh project outside the repository referencing the logger and the given attribute packages
    /// (with their frameworks and VSTest adapters), with one test class per framework.
    /// </summary>
    private string WriteConsumer(string name, SampleRuns.LocalFeed feed, string[] packages)
    {
        var consumer = Path.Combine(samples.WorkFolder, name);
        var references = new List<(string Id, string Version)> { ("Microsoft.NET.Test.Sdk", "18.11.0"), ("TmsBridge.TestLogger", feed.Version) };
        var sources = new Dictionary<string, string>();
        foreach (var package in packages)
        {
            var (frameworkPackages, tests) = package switch
            {
                "NUnit" => (new[] { ("NUnit", "4.4.0"), ("NUnit3TestAdapter", "6.3.1") }, NUnitTests),
                "MSTest" => (new[] { ("MSTest.TestFramework", "4.5.3"), ("MSTest.TestAdapter", "4.5.3") }, MSTestTests),
                "Xunit" => (new[] { ("xunit.v3.mtp-off", "4.0.2"), ("xunit.runner.visualstudio", "3.1.5") }, XunitTests),
                "Xunit.V2" => (new[] { ("xunit", "2.9.3"), ("xunit.runner.visualstudio", "3.1.5") }, XunitV2Tests),
                _ => throw new ArgumentOutOfRangeException(nameof(packages), package, "unknown attribute package"),
            };
            references.AddRange(frameworkPackages);
            references.Add(("TmsBridge." + package, feed.Version));
            sources[package.Replace(".", "", StringComparison.Ordinal) + "Tests.cs"] = tests;
        }
        SampleRuns.WriteConsumerProject(consumer, feed.Folder, "Mixed.Tests", references, implicitUsings: true);
        foreach (var (file, source) in sources) File.WriteAllText(Path.Combine(consumer, file), source);
        return consumer;
    }
}

using System.Diagnostics;
using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Users run old framework versions. Each attribute package declares as its dependency the oldest
/// framework version it works with (its floor), and this matrix proves it: for every framework, a fresh
/// consumer project at the floor and one at the newest version the feed serves (plus NUnit as
/// `dotnet new nunit` gives it) builds from the packed packages and publishes to the sandbox, and the
/// keys arrive. Each row pins the framework, the newest VSTest adapter that runs it, and the test SDK;
/// docs/getting-started.md ("Supported framework versions") lists the same pairs.
/// A restore of a consumer below a package's floor fails with NU1605 (warning as error by default),
/// which is why the floors matter.
/// </summary>
public sealed class FrameworkVersionMatrixTests(SampleRuns samples)
{
    /// <summary>One framework in a consumer: its attribute package, the packages pinned, and whether that version reads class-level keys.</summary>
    private sealed record Framework(string AttributePackage, (string Id, string Version)[] Packages, bool ReadsClassLevelKeys = true);

    private static Framework NUnit(string version, string adapter) => new("NUnit", [("NUnit", version), ("NUnit3TestAdapter", adapter)]);

    // MSTest reads TestPropertyAttribute on a class only from 3.8 (proven at 3.8.3; 3.1.1 ignores it).
    private static Framework MSTest(string version, bool readsClassLevelKeys = true) =>
        new("MSTest", [("MSTest.TestFramework", version), ("MSTest.TestAdapter", version)], readsClassLevelKeys);

    // The feed has no xunit.assert 2.4.0, so the oldest row uses xunit.core (the tests assert nothing).
    private static Framework XunitV2(string package, string version) => new("Xunit.V2", [(package, version), ("xunit.runner.visualstudio", "3.1.5")]);

    private static Framework XunitV3(string package, string version) => new("Xunit", [(package, version), ("xunit.runner.visualstudio", "3.1.5")]);

    /// <summary>The rows: name → (Microsoft.NET.Test.Sdk version, frameworks in the project).</summary>
    private static readonly Dictionary<string, (string TestSdk, Framework[] Frameworks)> Rows = new()
    {
        ["nunit-3.6.0-floor"] = ("18.11.0", [NUnit("3.6.0", "6.3.1")]),
        // Exactly what the .NET 10 `dotnet new nunit` template pins (the NU1605 report of issue 9).
        ["nunit-4.3.2-template"] = ("17.14.0", [NUnit("4.3.2", "5.0.0")]),
        ["nunit-5.0.0-newest"] = ("18.11.0", [NUnit("5.0.0", "6.3.1")]),
        ["mstest-2.0.0-floor"] = ("18.11.0", [MSTest("2.0.0", readsClassLevelKeys: false)]),
        ["mstest-4.0.2-first-4.x"] = ("18.11.0", [MSTest("4.0.2")]),
        ["mstest-4.5.3-newest"] = ("18.11.0", [MSTest("4.5.3")]),
        ["xunit-2.4.0-floor"] = ("18.11.0", [XunitV2("xunit.core", "2.4.0")]),
        ["xunit-2.9.3-newest"] = ("18.11.0", [XunitV2("xunit", "2.9.3")]),
        ["xunit.v3-2.0.3-floor"] = ("18.11.0", [XunitV3("xunit.v3", "2.0.3")]),
        ["xunit.v3-4.0.2-newest"] = ("18.11.0", [XunitV3("xunit.v3.mtp-off", "4.0.2")]),
        // Several attribute packages in one project (combined attributes, extern aliases) at the floors.
        ["mixed-floors-nunit-mstest-xunit"] = ("18.11.0", [NUnit("3.6.0", "6.3.1"), MSTest("2.0.0", readsClassLevelKeys: false), XunitV2("xunit.core", "2.4.0")]),
        // (NUnit3TestAdapter 6 and xunit.v3 2.x in one project do not build, with or without TmsBridge:
        // the MTP registration generated for the adapter does not compile there. So xunit.v3 pairs with MSTest.)
        ["mixed-floors-mstest-xunit.v3"] = ("18.11.0", [MSTest("2.0.0", readsClassLevelKeys: false), XunitV3("xunit.v3", "2.0.3")]),
    };

    public static TheoryData<string> RowNames => new(Rows.Keys);

    /// <summary>Per attribute package: the key its unattributed test sets with Tms.Key, and its step's name.</summary>
    private static readonly Dictionary<string, (string Key, string Step)> RuntimeKeys = new()
    {
        ["NUnit"] = ("DEMO-11", "nunit step"), ["MSTest"] = ("DEMO-12", "mstest step"),
        ["Xunit.V2"] = ("DEMO-13", "xunitv2 step"), ["Xunit"] = ("DEMO-14", "xunit step"),
    };

    /// <summary>Per attribute package: the test class (a method-level key, a class-level requirement, a defect) and its keys.</summary>
    private static (string Source, string Key, string Requirement) Tests(string attributePackage) => attributePackage switch
    {
        "NUnit" => ("""
            using TmsBridge;

            namespace Matrix.Tests
            {
                [NUnit.Framework.TestFixture, Covers("DEMO-101")]
                public class NUnitTests
                {
                    [NUnit.Framework.Test, TestCaseKey("DEMO-1"), Defect("DEMO-200")]
                    public void Nunit_passes() { }

                    [NUnit.Framework.Test]
                    public void Nunit_runtime_key() => Tms.Step("nunit step", () => Tms.Key("DEMO-11"));
                }
            }
            """, "DEMO-1", "DEMO-101"),
        "MSTest" => ("""
            using Microsoft.VisualStudio.TestTools.UnitTesting;
            using TmsBridge;

            [assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

            namespace Matrix.Tests
            {
                [TestClass, Covers("DEMO-102")]
                public class MSTestTests
                {
                    [TestMethod, TestCaseKey("DEMO-2"), Defect("DEMO-200")]
                    public void Mstest_passes() { }

                    [TestMethod]
                    public void Mstest_runtime_key() => Tms.Step("mstest step", () => Tms.Key("DEMO-12"));
                }
            }
            """, "DEMO-2", "DEMO-102"),
        "Xunit.V2" => ("""
            using TmsBridge;

            namespace Matrix.Tests
            {
                [Covers("DEMO-103")]
                public class XunitV2Tests
                {
                    public XunitV2Tests(Xunit.Abstractions.ITestOutputHelper output) => TmsOutput.Use(output);

                    [Xunit.Fact, TestCaseKey("DEMO-3"), Defect("DEMO-200")]
                    public void Xunitv2_passes() { }

                    [Xunit.Fact]
                    public void Xunitv2_runtime_key() => Tms.Step("xunitv2 step", () => Tms.Key("DEMO-13"));
                }
            }
            """, "DEMO-3", "DEMO-103"),
        "Xunit" => ("""
            using TmsBridge;

            namespace Matrix.Tests
            {
                [Covers("DEMO-104")]
                public class XunitTests
                {
                    [Xunit.Fact, TestCaseKey("DEMO-4"), Defect("DEMO-200")]
                    public void Xunit_passes() { }

                    [Xunit.Fact]
                    public void Xunit_runtime_key() => Tms.Step("xunit step", () => Tms.Key("DEMO-14"));
                }
            }
            """, "DEMO-4", "DEMO-104"),
        _ => throw new ArgumentOutOfRangeException(nameof(attributePackage), attributePackage, "unknown attribute package"),
    };

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task A_consumer_at_this_framework_version_builds_from_the_packages_and_publishes_its_keys(string row)
    {
        var clock = Stopwatch.StartNew();
        var frameworks = Rows[row].Frameworks;
        var consumer = await WriteConsumerAsync(row, row);

        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var run = await DotnetProcess.RunAsync(
            ["test", consumer, "--logger", $"tms;target=xray;baseUrl={sandbox.BaseAddress};project=DEMO", "--results-directory", Path.Combine(consumer, "results")],
            consumer,
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" },
            timeout: TimeSpan.FromMinutes(5));

        Assert.False(run.TimedOut, run.Output);
        Assert.True(run.ExitCode == 0, $"{row}: expected every test to pass and the run to publish (exit code {run.ExitCode}):\n{run.Output}");
        Assert.DoesNotContain(run.Lines, l => l.Contains("NU1605", StringComparison.Ordinal) || l.Contains("error CS", StringComparison.Ordinal) || l.Contains("warning CS", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        var links = Links(state).ToList();
        foreach (var framework in frameworks)
        {
            var (_, key, requirement) = Tests(framework.AttributePackage);
            var test = Test(execution, key);
            Assert.Equal("PASS", test.GetProperty("status").GetString());
            Assert.Equal(["DEMO-200"], Strings(test, "defects"));
            // MSTest before 3.8 ignores TestPropertyAttribute on a class: documented, and pinned here so a
            // change in either direction is noticed.
            // The runtime API at this version: a test with no attribute gets its key from Tms.Key inside a step.
            var runtimeKey = RuntimeKeys[framework.AttributePackage];
            var runtime = Test(execution, runtimeKey.Key);
            Assert.Equal("PASS", runtime.GetProperty("status").GetString());
            Assert.Contains($"1. PASSED {runtimeKey.Step}", runtime.GetProperty("comment").GetString());
            Assert.True(links.Contains((key, requirement)) == framework.ReadsClassLevelKeys,
                $"{row}: class-level [Covers(\"{requirement}\")] on the {framework.AttributePackage} test {(framework.ReadsClassLevelKeys ? "was not" : "was unexpectedly")} linked to {key}:\n{run.Output}");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{row}: {clock.Elapsed.TotalSeconds:F1} s (pack shared across rows)");
    }

    /// <summary>
    /// `dotnet publish` copies package assets from its own lists, not the build's: an MSTest 4 project
    /// must get the MSTest 4 build of TmsBridge.MSTest there too (else NETSDK1152, two files for one path,
    /// or the 2.x build that cannot load), and the published tests must run with their keys.
    /// </summary>
    [Fact]
    public async Task An_MSTest_4_project_publishes_with_the_MSTest_4_build_and_runs_from_the_publish_folder()
    {
        var consumer = await WriteConsumerAsync("mstest-4.5.3-newest", "mstest-4.5.3-published");
        var published = Path.Combine(consumer, "published");
        var publish = await DotnetProcess.RunAsync(["publish", consumer, "-o", published], consumer, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(5));
        Assert.True(publish.ExitCode == 0, publish.Output);

        var results = Path.Combine(consumer, "results");
        var run = await DotnetProcess.RunAsync(
            ["test", Path.Combine(published, "Matrix.Tests.dll"), "--logger", "tms;target=none", "--results-directory", results],
            consumer, new Dictionary<string, string?>(), timeout: TimeSpan.FromMinutes(5));

        Assert.True(run.ExitCode == 0, run.Output);
        using var report = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Directory.GetFiles(Path.Combine(results, "tms"), "*.report.json").Single()));
        var keys = report.RootElement.GetProperty("keys").EnumerateArray().ToList();
        // DEMO-12: the consumer's unattributed test sets its key with Tms.Key (TmsBridge.Runtime is published too).
        Assert.Equal(["DEMO-12", "DEMO-2"], keys.Select(k => k.GetProperty("key").GetString()).Order(StringComparer.Ordinal));
        var key = keys.Single(k => k.GetProperty("key").GetString() == "DEMO-2");
        Assert.Equal(["DEMO-102"], Strings(key, "requirements"));
    }

    /// <summary>A fresh project outside the repository (folder <paramref name="folder"/>) with the row's packages and one test class per framework.</summary>
    private async Task<string> WriteConsumerAsync(string row, string folder)
    {
        var (testSdk, frameworks) = Rows[row];
        var feed = await samples.PackLocalFeedAsync();
        var consumer = Path.Combine(samples.WorkFolder, "matrix", folder);
        var references = new List<(string Id, string Version)> { ("Microsoft.NET.Test.Sdk", testSdk), ("TmsBridge.TestLogger", feed.Version) };
        foreach (var framework in frameworks)
        {
            references.AddRange(framework.Packages.Select(p => (p.Id, p.Version)));
            references.Add(("TmsBridge." + framework.AttributePackage, feed.Version));
        }
        SampleRuns.WriteConsumerProject(consumer, feed.Folder, "Matrix.Tests", references);
        foreach (var framework in frameworks)
        {
            var source = Tests(framework.AttributePackage).Source;
            // MSTest 2.x does not capture Console per test under [Parallelize]: runtime API records are
            // lost there (documented in docs/runtime-api.md), so its rows run the MSTest tests one by one.
            if (framework.AttributePackage == "MSTest" && framework.Packages.Any(p => p.Version.StartsWith("2.", StringComparison.Ordinal)))
                source = source.Replace("[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]", "", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(consumer, framework.AttributePackage.Replace(".", "", StringComparison.Ordinal) + "Tests.cs"), source);
        }
        return consumer;
    }
}

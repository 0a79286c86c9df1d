using TmsBridge.Cli;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// The way users get TmsBridge: packages from a feed. The packages are packed from this checkout
/// into a local folder feed and consumed by a fresh test project outside the repository (no
/// Directory.Build.props, no ProjectReference): `dotnet test --logger tms` must find the logger.
/// </summary>
public sealed class PackageConsumerTests(SampleRuns samples)
{
    [Fact]
    public async Task Logger_and_attributes_work_when_consumed_as_packages_from_a_local_feed()
    {
        var feed = await samples.PackLocalFeedAsync();
        var version = feed.Version;
        var consumer = Path.Combine(samples.WorkFolder, "consumer");
        SampleRuns.WriteConsumerProject(consumer, feed.Folder, "Consumer.Tests",
            [("Microsoft.NET.Test.Sdk", "18.11.0"), ("NUnit", "4.4.0"), ("NUnit3TestAdapter", "6.3.1"), ("TmsBridge.TestLogger", version), ("TmsBridge.NUnit", version)]);
        File.WriteAllText(Path.Combine(consumer, "ConsumerTests.cs"), """
            using NUnit.Framework;
            using TmsBridge;

            namespace Consumer.Tests;

            [Covers("DEMO-110")]
            public class ConsumerTests
            {
                [Test, TestCaseKey("DEMO-10")]
                public void Passes_with_evidence()
                {
                    var file = System.IO.Path.Combine(TestContext.CurrentContext.WorkDirectory, "consumer.txt");
                    System.IO.File.WriteAllText(file, "from a package consumer");
                    TestContext.AddTestAttachment(file, "consumer evidence");
                }

                [Test, TestCaseKey("DEMO-11")]
                public void Fails() => Assert.Fail("on purpose");
            }
            """);

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

        Assert.True(run.ExitCode == 1, $"expected the deliberate failure's exit code 1:\n{run.Output}");
        Assert.DoesNotContain(run.Lines, l => l.Contains("Could not find a test logger", StringComparison.Ordinal));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("PASS", Test(execution, "DEMO-10").GetProperty("status").GetString());
        Assert.Equal("FAIL", Test(execution, "DEMO-11").GetProperty("status").GetString());
        var evidence = Assert.Single(Test(execution, "DEMO-10").GetProperty("evidence").EnumerateArray());
        Assert.Equal(SampleRuns.Sha256("from a package consumer"u8.ToArray()), evidence.GetProperty("sha256").GetString());
        Assert.Contains(("DEMO-10", "DEMO-110"), Links(state));
    }
}

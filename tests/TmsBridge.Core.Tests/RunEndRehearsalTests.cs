using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Publishing;
using static TmsBridge.Core.Tests.Support.Results;

namespace TmsBridge.Core.Tests;

/// <summary>
/// Issue 16: a run session rehearses the run end (target none, in a temporary folder) once per process
/// while the tests run, so the run end's first-time cost is not paid after the last test.
/// </summary>
[Collection(nameof(ProcessEnvironmentCollection))]
public sealed class RunEndRehearsalTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly CaptureOutput _output = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Starting_a_session_rehearses_the_run_end_once_in_the_background_and_leaves_nothing_behind()
    {
        var options = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "none")]);
        using var session = RunSession.Start(new RunStartInfo { TestRunDirectory = _dir.Combine("TestResults"), Sources = ["My.Tests.dll"], Runner = "vstest", Options = options }, _output);

        var rehearsal = RunEndRehearsal.Current;
        Assert.NotNull(rehearsal);
        Assert.Same(rehearsal, RunEndRehearsal.Start()); // once per process
        await rehearsal.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(rehearsal.IsCompletedSuccessfully);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), RunEndRehearsal.FolderPrefix + "*"));
        // Nothing of it reaches the real run: its console and its run folder hold only the session's own.
        Assert.DoesNotContain(_output.Lines, l => l.Contains("rehearsal", StringComparison.OrdinalIgnoreCase));
        session.Record(Result("Ns.C.A", keys: ["DEMO-1"]));
        var report = await session.CompleteAsync(aborted: false, TestContext.Current.CancellationToken);
        Assert.Equal(["DEMO-1"], report!.Keys.Select(k => k.Key));
        Assert.DoesNotContain(Directory.GetFiles(_dir.Combine("TestResults"), "*", SearchOption.AllDirectories), f => f.Contains("rehearsal", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deferred_run_does_not_rehearse_a_run_end_it_will_not_have()
    {
        Assert.True(RunSession.RehearsesRunEnd(ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "xray")])));
        Assert.False(RunSession.RehearsesRunEnd(ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "xray").Add("publishMode", "deferred")])));
    }

    [Fact]
    public async Task A_rehearsal_removes_the_folders_that_rehearsals_of_ended_processes_left_behind()
    {
        // A process that ended: its pid is free (reuse within this test is not expected).
        using var ended = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        await ended.WaitForExitAsync(TestContext.Current.CancellationToken);
        var left = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"tmsbridge-rehearsal-{ended.Id}-0badf00d")).FullName;
        File.WriteAllText(Path.Combine(left, "x.journal.jsonl"), "{}");
        var live = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunEndRehearsal.FolderPrefix + "11ve0000")).FullName;
        try
        {
            await RunEndRehearsal.RehearseAsync();

            Assert.False(Directory.Exists(left));
            Assert.True(Directory.Exists(live)); // this process's (a rehearsal may be running in it)
        }
        finally
        {
            if (Directory.Exists(left)) Directory.Delete(left, recursive: true);
            Directory.Delete(live, recursive: true);
        }
    }

    [Fact]
    public async Task A_rehearsal_on_GitHub_Actions_writes_nothing_to_the_job_summary()
    {
        // The rehearsal's target=none publish must not append its two made-up results to the real job page.
        var summary = _dir.Combine("step_summary.md");
        var before = (Environment.GetEnvironmentVariable("GITHUB_ACTIONS"), Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY"));
        Environment.SetEnvironmentVariable("GITHUB_ACTIONS", "true");
        Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", summary);
        try
        {
            await RunEndRehearsal.RehearseAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_ACTIONS", before.Item1);
            Environment.SetEnvironmentVariable("GITHUB_STEP_SUMMARY", before.Item2);
        }
        Assert.False(File.Exists(summary), File.Exists(summary) ? File.ReadAllText(summary) : "");
    }
}

/// <summary>Tests that set process environment variables run alone: no other test reads them meanwhile.</summary>
[CollectionDefinition(nameof(ProcessEnvironmentCollection), DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;


using System.Diagnostics;
using TmsBridge.Backends.Kit;
using TmsBridge.Configuration;
using TmsBridge.Core.Tests.Support;
using TmsBridge.Journal;
using TmsBridge.Publishing;

namespace TmsBridge.Core.Tests;

/// <summary>Issue 15 item 1: which runs form a group, and their turns in a run folder (lock and state files).</summary>
public sealed class ExecutionGroupTests
{
    private static TmsOptions Options(string? group = null, string? testExecution = null) =>
        new() { Target = "xray", ExecutionGroup = group, TestExecution = testExecution };

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void The_group_is_the_option_else_the_CI_run_else_the_invocation()
    {
        var github = Env(("GITHUB_RUN_ID", "123456"), ("GITHUB_RUN_ATTEMPT", "2"));
        Assert.Equal("nightly-42", ExecutionGroup.For(Options("nightly-42"), "vstest:1_a", github)!.MarkerId);
        var ci = ExecutionGroup.For(Options(), "vstest:1_a", github)!;
        Assert.Equal("gh-123456", ci.MarkerId); // not the attempt: a re-run of failed jobs updates the run's execution
        Assert.True(ci.AcrossMachines);
        Assert.Equal("ado-77", ExecutionGroup.For(Options(), null, Env(("BUILD_BUILDID", "77"), ("TF_BUILD", "True")))!.MarkerId);
        Assert.Equal("gl-9001", ExecutionGroup.For(Options(), null, Env(("CI_PIPELINE_ID", "9001"), ("GITLAB_CI", "true")))!.MarkerId);
        Assert.Equal("jenkins-app-12", ExecutionGroup.For(Options(), null, Env(("BUILD_TAG", "jenkins-app-12"), ("JENKINS_URL", "https://ci/")))!.MarkerId);
        // BUILD_BUILDID without TF_BUILD is not Azure Pipelines' (some other tool's variable).
        Assert.Null(ExecutionGroup.For(Options(), null, Env(("BUILD_BUILDID", "77"))));

        var local = ExecutionGroup.For(Options(), "vstest:1_a", Env())!;
        Assert.False(local.AcrossMachines);
        Assert.StartsWith("dt-", local.MarkerId);
        Assert.Null(RunMarker.IdProblem(local.MarkerId));
        Assert.Equal(local.MarkerId, ExecutionGroup.For(Options(), "vstest:1_a", Env())!.MarkerId);
        Assert.NotEqual(local.MarkerId, ExecutionGroup.For(Options(), "vstest:2_b", Env())!.MarkerId);
    }

    [Fact]
    public void No_group_for_a_given_testExecution_none_a_dry_run_or_an_unknown_invocation()
    {
        var github = Env(("GITHUB_RUN_ID", "1"));
        Assert.Null(ExecutionGroup.For(Options("none"), "vstest:1_a", github));
        Assert.Null(ExecutionGroup.For(Options("None"), "vstest:1_a", github));
        Assert.Null(ExecutionGroup.For(Options(testExecution: "DEMO-9"), "vstest:1_a", github));
        Assert.Null(ExecutionGroup.For(new TmsOptions { Target = "none" }, "vstest:1_a", github));
        Assert.Null(ExecutionGroup.For(new TmsOptions { Target = "xray", DryRun = true }, "vstest:1_a", github));
        Assert.Null(ExecutionGroup.For(Options(), null, Env()));
        // A blank executionGroup is unset, not one group for every run with a blank value.
        Assert.Null(ExecutionGroup.For(Options("  "), null, Env()));
        Assert.Equal("gh-1", ExecutionGroup.For(Options(" "), null, github)!.MarkerId);
    }

    [Fact]
    public void RTM_per_TCE_forms_no_plain_dotnet_test_group_only_an_executionGroup()
    {
        // A plain group's TE holds only its first run's keys: the other projects' results would be refused.
        Assert.Null(ExecutionGroup.For(new TmsOptions { Target = "rtm" }, "vstest:1_a", Env()));
        Assert.Null(ExecutionGroup.For(new TmsOptions { Target = "rtm-cloud" }, "vstest:1_a", Env()));
        Assert.True(ExecutionGroup.For(new TmsOptions { Target = "rtm", ExecutionGroup = "nightly" }, "vstest:1_a", Env())!.AcrossMachines);
        Assert.True(ExecutionGroup.For(new TmsOptions { Target = "rtm-cloud" }, "vstest:1_a", Env(("GITHUB_RUN_ID", "5")))!.AcrossMachines);
        // The import adds the cases it names to the TE it imports into.
        var import = ConfigurationResolver.Resolve([new ConfigurationLayer("test").Add("target", "rtm-cloud").Add("rtmMode", "import")]);
        Assert.False(ExecutionGroup.For(import, "vstest:1_a", Env())!.AcrossMachines);
    }

    [Fact]
    public void A_group_name_that_is_not_one_word_still_gives_a_marker_id()
    {
        var group = ExecutionGroup.For(Options("release 1.2 / linux"), null, Env())!;
        Assert.Null(RunMarker.IdProblem(group.MarkerId));
        Assert.StartsWith("release-1.2---linux-", group.MarkerId);
    }

    [Fact]
    public async Task The_first_run_leads_and_the_next_joins_the_execution_it_names()
    {
        using var dir = new TempDir();
        var group = ExecutionGroup.For(Options("g1"), null, Env())!;
        using var deadline = PublishDeadline.Start(TimeSpan.FromSeconds(20));
        var output = new CaptureOutput();

        using var first = await group.EnterAsync(dir.Path, "xray", deadline, output);
        Assert.True(first.Leads);
        Assert.Null(first.ExecutionKey);

        // The second waits while the first creates the execution...
        var secondTask = group.EnterAsync(dir.Path, "xray", deadline, output);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(secondTask.IsCompleted);
        // ...and joins it once the first's first publish mark names it.
        first.Observe(new PublishMark { Target = "xray", Key = "DEMO-1", State = KeyStates.Sent, ExecutionKey = "DEMO-900", At = DateTimeOffset.UtcNow });
        Assert.False(first.Leads);
        using var second = await secondTask;
        Assert.False(second.Leads);
        Assert.Equal("DEMO-900", second.ExecutionKey);
        Assert.Empty(output.Warnings);
        // The state names the target: another target's run of the same group creates its own.
        using var other = await group.EnterAsync(dir.Path, "aio", deadline, output);
        Assert.True(other.Leads);
    }

    [Fact]
    public async Task A_leader_that_created_nothing_hands_the_turn_on()
    {
        using var dir = new TempDir();
        var group = ExecutionGroup.For(Options("g2"), null, Env())!;
        using var deadline = PublishDeadline.Start(TimeSpan.FromSeconds(20));
        var first = await group.EnterAsync(dir.Path, "xray", deadline, new CaptureOutput());
        first.Observe(new PublishMark { Target = "xray", Key = "DEMO-1", State = KeyStates.NotSent });
        Assert.True(first.Leads);
        first.Dispose();
        using var second = await group.EnterAsync(dir.Path, "xray", deadline, new CaptureOutput());
        Assert.True(second.Leads);
        Assert.Null(second.ExecutionKey);
    }

    [Fact]
    public async Task The_wait_for_the_lock_is_bounded_by_half_of_the_deadline()
    {
        using var dir = new TempDir();
        var group = ExecutionGroup.For(Options("g3"), null, Env())!;
        using var deadline = PublishDeadline.Start(TimeSpan.FromSeconds(2));
        using var first = await group.EnterAsync(dir.Path, "xray", deadline, new CaptureOutput());
        var output = new CaptureOutput();
        var watch = Stopwatch.StartNew();
        using var second = await group.EnterAsync(dir.Path, "xray", deadline, output);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.9));
        Assert.False(second.Leads);
        Assert.Null(second.ExecutionKey);
        Assert.True(second.WithoutTurn);
        Assert.False(first.WithoutTurn);
        Assert.Contains(output.Warnings, w => w.Contains("held the lock", StringComparison.Ordinal) && w.Contains("looks the group's execution up in the TMS by its marker", StringComparison.Ordinal));

        // A plain dotnet test group has no group marker to look up: that run creates its own.
        var local = ExecutionGroup.For(Options(), "vstest:9_z", Env())!;
        using var localDeadline = PublishDeadline.Start(TimeSpan.FromSeconds(1));
        using var holder = await local.EnterAsync(dir.Path, "xray", localDeadline, new CaptureOutput());
        var localOutput = new CaptureOutput();
        using var late = await local.EnterAsync(dir.Path, "xray", localDeadline, localOutput);
        Assert.Contains(localOutput.Warnings, w => w.Contains("this dotnet test invocation", StringComparison.Ordinal) && w.EndsWith("this run creates its own execution.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lock_held_by_a_process_that_died_is_no_lock()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/usr/bin/flock"), "flock(1) takes the same lock as .NET on Linux");
        using var dir = new TempDir();
        var group = ExecutionGroup.For(Options("g4"), null, Env())!;
        var lockPath = group.LockPath(dir.Path, "xray");
        // Another process takes the group's lock and is killed while holding it (kill -9 mid-publish).
        var ready = Path.Combine(dir.Path, "held");
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-x", lockPath, "sh", "-c", $"touch '{ready}'; sleep 60"]) { UseShellExecute = false })!;
        for (var i = 0; i < 100 && !File.Exists(ready); i++) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.True(File.Exists(ready));
        using var deadline = PublishDeadline.Start(TimeSpan.FromSeconds(20));
        var waiting = group.EnterAsync(dir.Path, "xray", deadline, new CaptureOutput());
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        holder.Kill(entireProcessTree: true);
        using var lease = await waiting;
        Assert.True(lease.Leads);
        Assert.True(File.Exists(lockPath)); // the file stays; the lock went with the process
    }
}

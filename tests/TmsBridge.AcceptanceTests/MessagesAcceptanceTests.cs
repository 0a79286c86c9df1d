using TmsBridge.Cli;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;
using TmsBridge.Sandbox;
using static TmsBridge.AcceptanceTests.SandboxStateReader;

namespace TmsBridge.AcceptanceTests;

/// <summary>
/// Issue 9 items 2, 6 and 10, end to end: a statusMap on the `dotnet test` command line, option
/// checks that `tmsbridge publish` makes before anything else, and the title of what it creates.
/// </summary>
public sealed class MessagesAcceptanceTests(SampleRuns samples) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tmsbridge-acceptance-messages", Guid.NewGuid().ToString("N").Substring(0, 8));
    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private const string RunIdA = "20260102T030405Z-0000aaaa";
    private const string RunIdB = "20260102T031000Z-0000bbbb";
    private static readonly DateTimeOffset StartedA = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>
    /// Item 2: `statusMap=Skipped=ABORTED` makes vstest (SDK 10.0.401) refuse the logger and run no
    /// test at all; the colon form passes vstest's parameter parser, the tests run as always and the
    /// mapped statuses land.
    /// </summary>
    [Fact]
    public async Task A_colon_statusMap_on_the_logger_command_line_runs_the_tests_and_maps_the_statuses()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string?>
        {
            ["TMS_TARGET"] = "xray", ["TMS_BASE_URL"] = sandbox.BaseAddress.ToString(), ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin",
        };

        var run = await samples.RunAsync("NUnitSample", environment, "--logger", "tms;statusMap=Skipped:ABORTED,Failed:EXECUTING");

        SampleRun.AssertSampleOutcomeUnchanged(run);
        Assert.DoesNotContain(run.TmsLines, l => l.Contains("error", StringComparison.OrdinalIgnoreCase));
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("ABORTED", Test(execution, "DEMO-4").GetProperty("status").GetString());
        Assert.Equal("EXECUTING", Test(execution, "DEMO-3").GetProperty("status").GetString());
        Assert.Equal("PASS", Test(execution, "DEMO-1").GetProperty("status").GetString());
    }

    /// <summary>A journal as a run leaves it: one result for DEMO-1 (Xray) and DEMO-TC-1 (AIO), optionally already sent to xray.</summary>
    private string Journal(string runId, DateTimeOffset started, string source, bool alreadySent = false)
    {
        var folder = Path.Combine(_folder, runId);
        using var journal = RunJournal.Create(folder, new RunHeader { RunId = runId, StartedAt = started, Runner = "vstest", Sources = [source] });
        journal.AppendResult(new TestResultRecord
        {
            Sequence = 1,
            FullyQualifiedName = "Ns.C.Login",
            DisplayName = "Login",
            Outcome = TestOutcome.Passed,
            StartTime = started,
            EndTime = started.AddSeconds(1),
            TestCaseKeys = ["DEMO-1", "DEMO-TC-1"],
        });
        journal.AppendEnd(new RunEnd { FinishedAt = started.AddMinutes(1), Results = 1 });
        if (alreadySent)
        {
            journal.AppendPublishMark(new PublishMark { At = started.AddMinutes(2), Target = "xray", Key = "DEMO-1", State = KeyStates.Sent, ExecutionKey = "DEMO-1000" });
        }
        return journal.JournalPath;
    }

    /// <summary>Item 6: a misspelt option stops the publish even when there is nothing left to send.</summary>
    [Fact]
    public async Task Publish_checks_the_options_first_even_when_everything_was_already_sent()
    {
        var journal = Journal(RunIdA, StartedA, "Crafted.Tests.dll", alreadySent: true);
        var before = File.ReadAllText(journal);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await PublishCommand.RunAsync([journal, "--target", "xray", "--base-url", "http://127.0.0.1:9/", "--projet", "DEMO"], stdout, stderr);

        Assert.True(code == 2, stdout + "\n" + stderr);
        Assert.Contains("unknown option 'projet' in command line; did you mean 'project'?", stderr.ToString());
        Assert.DoesNotContain("already sent", stdout.ToString());
        Assert.Equal(before, File.ReadAllText(journal));
    }

    [Fact]
    public async Task Publish_with_a_bad_option_sends_nothing_and_leaves_the_journal_unchanged()
    {
        var journal = Journal(RunIdA, StartedA, "Crafted.Tests.dll");
        var before = File.ReadAllText(journal);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await PublishCommand.RunAsync([journal, "--target", "xary", "--base-url", "http://127.0.0.1:9/"], stdout, stderr);

        Assert.True(code == 2, stdout + "\n" + stderr);
        Assert.Contains("option 'target' from command line has the value 'xary'", stderr.ToString());
        Assert.Contains("did you mean 'xray'?", stderr.ToString());
        Assert.Contains("nothing was published", stderr.ToString());
        Assert.Equal(before, File.ReadAllText(journal));
    }

    /// <summary>Item 6, the target's own needs: no credentials is found before the already-sent check too.</summary>
    [Fact]
    public async Task Publish_reports_missing_credentials_before_anything_else()
    {
        var journal = Journal(RunIdA, StartedA, "Crafted.Tests.dll", alreadySent: true);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // TMS_USER / TMS_PASSWORD / TMS_TOKEN are not set in the test environment.
        Assert.Null(Environment.GetEnvironmentVariable("TMS_TOKEN"));
        var code = await PublishCommand.RunAsync([journal, "--target", "xray", "--base-url", "http://127.0.0.1:9/"], stdout, stderr);

        Assert.True(code == 2, stdout + "\n" + stderr);
        Assert.Contains("target 'xray' needs Jira credentials", stderr.ToString());
    }

    /// <summary>Item 10: the execution `tmsbridge publish` creates is titled like the run it publishes; the marker is the publish's own.</summary>
    [Fact]
    public async Task Publish_titles_a_new_Xray_execution_after_the_published_run()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var journal = Journal(RunIdA, StartedA, "/ci/bin/Crafted.Tests.dll");

        var publish = await SampleRuns.RunCliAsync(
            ["publish", journal, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"],
            new Dictionary<string, string?> { ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin" },
            TimeSpan.FromMinutes(3));

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var execution = Assert.Single(Executions(state));
        Assert.Equal("Crafted.Tests: automated test run 2026-01-02 03:04 UTC", execution.GetProperty("summary").GetString());
        Assert.DoesNotContain("publish-", execution.GetProperty("summary").GetString());
        Assert.Contains("TmsBridge run publish-", execution.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Publish_titles_a_new_AIO_cycle_after_the_published_runs()
    {
        await using var sandbox = await SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var first = Journal(RunIdA, StartedA, "/ci/bin/Crafted.Tests.dll");
        var second = Journal(RunIdB, StartedA.AddMinutes(6), "/ci/bin/Other.Tests.dll");

        var publish = await SampleRuns.RunCliAsync(
            ["publish", first, second, "--target", "aio-cloud", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"],
            new Dictionary<string, string?> { ["TMS_TOKEN"] = "sandbox-aio-token" },
            TimeSpan.FromMinutes(3));

        Assert.True(publish.ExitCode == 0, publish.Output);
        using var state = await ReadAsync(sandbox.BaseAddress);
        var cycle = Assert.Single(state.RootElement.GetProperty("aio").GetProperty("cycles").EnumerateArray());
        Assert.Equal($"Crafted.Tests, Other.Tests: automated test run 2026-01-02 03:04 UTC ({RunIdA}, {RunIdB})", cycle.GetProperty("title").GetString());
        // The marker that finds a create whose answer was lost stays unique to this publish.
        Assert.Contains("TmsBridge run publish-", cycle.GetProperty("objective").GetString());
    }
}

using TmsBridge.Cli;
using TmsBridge.Journal;
using TmsBridge.Model;
using TmsBridge.Publishing;

namespace TmsBridge.AcceptanceTests;

/// <summary>`tmsbridge report` in process, on journals written by the real journal writer.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tmsbridge-report-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private string WriteJournal(string folder)
    {
        var started = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
        using var journal = RunJournal.Create(Path.Combine(_dir, folder), new RunHeader { RunId = "run-" + folder, StartedAt = started, Options = new() { ["target"] = "xray" } });
        journal.AppendResult(new TestResultRecord { Sequence = 1, FullyQualifiedName = "Ns.C.Logs_in", Outcome = TestOutcome.Passed, TestCaseKeys = ["DEMO-1"], Covers = ["DEMO-100"] });
        journal.AppendResult(new TestResultRecord { Sequence = 2, FullyQualifiedName = "Ns.C.Pays|fast", Outcome = TestOutcome.Failed, Covers = ["DEMO-100"] });
        journal.AppendPublishMark(new PublishMark { At = started, Target = "xray", Key = "DEMO-1", State = KeyStates.Refused, Reason = "Issue DEMO-1 is not a Test" });
        return journal.JournalPath;
    }

    private Task<int> Run(params string[] args) => CliApp.RunAsync(["report", .. args], _out, _err);

    [Fact]
    public async Task Markdown_to_the_console_from_a_journal_file()
    {
        var exit = await Run(WriteJournal("a"));

        Assert.Equal(0, exit);
        var md = _out.ToString();
        Assert.Contains("| DEMO-100 | failed | Ns.C.Logs\\_in (passed, DEMO-1)<br>Ns.C.Pays\\|fast (failed) |", md);
        Assert.Contains("| Ns.C.Pays\\|fast | failed | DEMO-100 |", md);
        Assert.Contains("| DEMO-1 | xray | Issue DEMO-1 is not a Test | 2026-05-06 07:08 UTC |", md);
    }

    [Fact]
    public async Task Html_when_the_out_file_says_so_from_folders_searched_for_journals()
    {
        WriteJournal("a");
        WriteJournal("b");
        var html = Path.Combine(_dir, "out", "trace.html");

        var exit = await Run(_dir, "--out", html);

        Assert.Equal(0, exit);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
        Assert.Contains("2 journals", _out.ToString());
    }

    [Theory]
    [InlineData("--format", "pdf", "--format 'pdf' is not md or html.")]
    [InlineData("--colour", "red", "report has no option --colour")]
    public async Task Bad_options_are_usage_errors_naming_the_option(string name, string value, string message)
    {
        var exit = await Run(WriteJournal("a"), name, value);

        Assert.Equal(2, exit);
        Assert.Contains(message, _err.ToString());
    }

    [Fact]
    public async Task A_folder_without_journals_or_a_missing_path_is_named()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        Assert.Equal(2, await Run(Path.Combine(_dir, "empty")));
        Assert.Contains("holds no run journal", _err.ToString());
        Assert.Equal(2, await Run(Path.Combine(_dir, "nowhere")));
        Assert.Contains("nowhere' is neither a journal file nor a folder", _err.ToString());
        Assert.Equal(2, await Run());
    }
}

/// <summary>`tmsbridge publish` (its own process) against the sandbox: the job summary, and refusals journalled with their reason for `tmsbridge report`.</summary>
public sealed class PublishSummaryAcceptanceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tmsbridge-publish-summary-" + Guid.NewGuid().ToString("N")[..8]);
    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    [Fact]
    public async Task Publish_appends_the_summary_and_report_lists_the_refused_key_with_the_TMS_reason()
    {
        await using var sandbox = await Sandbox.SandboxServer.StartAsync(null, TestContext.Current.CancellationToken);
        var started = DateTimeOffset.UtcNow;
        string path;
        using (var journal = RunJournal.Create(_dir, new RunHeader { RunId = "run-1", StartedAt = started, Runner = "vstest", Sources = ["Shop.Tests.dll"] }))
        {
            journal.AppendResult(new TestResultRecord { Sequence = 1, FullyQualifiedName = "Shop.Login.Works", Outcome = TestOutcome.Passed, TestCaseKeys = ["DEMO-1"], Covers = ["DEMO-100"], StartTime = started, EndTime = started.AddSeconds(1) });
            journal.AppendResult(new TestResultRecord { Sequence = 2, FullyQualifiedName = "Shop.Pay.Unknown", Outcome = TestOutcome.Failed, TestCaseKeys = ["DEMO-7777"], StartTime = started, EndTime = started.AddSeconds(1) });
            journal.AppendEnd(new RunEnd { FinishedAt = started.AddSeconds(2), Results = 2 });
            path = journal.JournalPath;
        }
        var summary = Path.Combine(_dir, "summary.md");

        var publish = await SampleRuns.RunCliAsync(["publish", path, "--target", "xray", "--base-url", sandbox.BaseAddress.ToString(), "--project", "DEMO"], new Dictionary<string, string?>
        {
            ["TMS_USER"] = "admin", ["TMS_PASSWORD"] = "admin", ["GITHUB_ACTIONS"] = "true", ["GITHUB_STEP_SUMMARY"] = summary, ["TF_BUILD"] = null,
        }, TimeSpan.FromMinutes(3));

        var text = File.ReadAllText(summary);
        Assert.Contains("### TmsBridge: Xray Server/DC", text);
        Assert.Contains("- Results: 2, keys: 2 (sent 1, refused 1, not sent 0)", text);
        Assert.Contains("- DEMO-7777: ", text);
        Assert.Contains("- Requirements: 1 passed / 0 failed / 0 not run (of 1)", text);
        Assert.Equal(1, publish.ExitCode);

        var stdout = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["report", path], stdout, new StringWriter()));
        Assert.Matches(@"\| DEMO-7777 \| xray \| \S.* \| \d{4}-\d\d-\d\d \d\d:\d\d UTC \|", stdout.ToString());
        Assert.DoesNotContain("no reason recorded", stdout.ToString());
    }
}
